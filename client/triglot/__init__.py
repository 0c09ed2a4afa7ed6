"""triglot client: a small Python library and the `triglot` CLI. Needs only grpcio and protobuf."""
