"""Regenerate the Python stubs from proto/ into client/ (python scripts/gen_proto.py [--check])."""
from __future__ import annotations

import filecmp
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "client"


def generate(out_dir: Path) -> list[Path]:
    protos = sorted(PROTO_DIR.rglob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    args = ["protoc", f"-I{PROTO_DIR}", f"-I{include}", f"--python_out={out_dir}",
            f"--pyi_out={out_dir}", f"--grpc_python_out={out_dir}"]
    if protoc.main(args + [str(p) for p in protos]) != 0:
        raise SystemExit("protoc failed")
    return sorted(p.relative_to(out_dir) for p in out_dir.rglob("*_pb2*.py*"))


def stale_files() -> list[str]:
    """Generated files that differ from what protoc makes of the .proto now."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        return [str(rel) for rel in fresh
                if not (OUT_DIR / rel).exists() or not filecmp.cmp(Path(tmp) / rel, OUT_DIR / rel, shallow=False)]


if __name__ == "__main__":
    if "--check" in sys.argv:
        stale = stale_files()
        if stale:
            raise SystemExit("stale generated code, run `python scripts/gen_proto.py`: " + ", ".join(stale))
        print("generated code is fresh")
    else:
        for rel in generate(OUT_DIR):
            print("wrote", OUT_DIR / rel)
