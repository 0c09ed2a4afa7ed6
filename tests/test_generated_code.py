"""The committed stubs must be what protoc makes of the .proto now."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _gen_proto():
    spec = importlib.util.spec_from_file_location("gen_proto", ROOT / "scripts" / "gen_proto.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_stubs_are_fresh():
    stale = _gen_proto().stale_files()
    assert stale == [], f"regenerate with `make proto`: {stale}"


def test_stubs_import_from_the_installed_client_package():
    from triglot.v1 import triglot_pb2, triglot_pb2_grpc

    assert "Triglot" in triglot_pb2.DESCRIPTOR.services_by_name
    assert hasattr(triglot_pb2_grpc, "TriglotStub")
