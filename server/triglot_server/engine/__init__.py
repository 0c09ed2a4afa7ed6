"""The triglot engine: typed values in, typed values out. Nothing in this package imports grpc."""
