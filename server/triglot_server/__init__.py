"""triglot server: the engine (plain Python, no gRPC) and the gRPC service around it."""
