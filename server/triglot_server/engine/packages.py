"""Argos Translate packages (`.argosmodel`) in triglot's model directory: install from local files, list.

A package is a zip archive whose single top directory holds metadata.json, model/ (a CTranslate2 model),
sentencepiece.model and usually README.md — the format of Argos Translate's own index. We extract it ourselves
instead of calling `argostranslate.package.install_from_path`, which writes into Argos' global directory and imports
`argostranslate.translate` (~5 s of stanza/torch/spacy), and we refuse archives that could write outside the target
(absolute paths, "..", links). Installing never touches the network.

Layout of the model directory: one sub-directory per language pair, named `translate-<from>_<to>`, so installing a
package for a pair that is already installed replaces it — only after the new one is fully extracted and loaded
(its CTranslate2 model and SentencePiece tokenizer), so an install never swaps a working package for one that cannot
load. Names starting with "." are work in progress and ignored.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from triglot_server.engine.languages import normalize_language
from typing import Any

from triglot_server.engine.types import EngineError, InvalidInput

MAX_PACKAGE_BYTES = 4 * 1024**3  # uncompressed; real Argos packages are ~100 MB (guards against zip bombs)
INSTALL_HINT = "triglot models install FILE.argosmodel"


@dataclass(frozen=True)
class ModelInfo:
    """One installed translation package."""

    from_code: str
    to_code: str
    version: str  # metadata package_version ("" when absent)
    name: str  # directory name inside the model directory
    path: Path
    target_prefix: str = ""  # metadata target_prefix: a token forced at the start of every output ("" when none)


class PackageUnloadable(EngineError):
    """An installed (or staged) package whose model or tokenizer cannot be loaded."""


def load_package(directory: Path, inter_threads: int = 1, intra_threads: int = 1,
                 compute_type: str = "default") -> tuple[Any, Any]:
    """The (SentencePiece processor, CTranslate2 translator) of a package directory; PackageUnloadable says why
    not (a damaged model.bin, a model of another CTranslate2 version, a bad sentencepiece.model)."""
    import ctranslate2
    import sentencepiece

    directory = Path(directory)
    try:
        tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(directory / "sentencepiece.model"))
        translator = ctranslate2.Translator(str(directory / "model"), device="cpu", inter_threads=inter_threads,
                                            intra_threads=intra_threads, compute_type=compute_type)
    except (RuntimeError, OSError, ValueError) as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        raise PackageUnloadable(reason) from None
    return tokenizer, translator


def default_model_dir() -> Path:
    """$TRIGLOT_MODELS if set, else ~/.local/share/triglot/models."""
    configured = os.environ.get("TRIGLOT_MODELS")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".local" / "share" / "triglot" / "models"


def _read_metadata(text: bytes, where: str) -> dict:
    try:
        metadata = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"{where}: metadata.json is not valid JSON ({error})") from None
    if not isinstance(metadata, dict):
        raise InvalidInput(f"{where}: metadata.json must hold a JSON object")
    kind = metadata.get("type", "translate")
    if kind != "translate":
        raise InvalidInput(f"{where}: package type is {kind!r}; only 'translate' packages can be installed")
    for key in ("from_code", "to_code"):
        if not isinstance(metadata.get(key), str) or not metadata[key]:
            raise InvalidInput(f"{where}: metadata.json has no {key}")
    try:
        metadata["from_code"] = normalize_language(metadata["from_code"])
        metadata["to_code"] = normalize_language(metadata["to_code"])
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error}") from None
    if metadata["from_code"] == metadata["to_code"]:
        raise InvalidInput(f"{where}: package translates {metadata['from_code']} into itself")
    if not isinstance(metadata.get("target_prefix", ""), str):
        raise InvalidInput(f"{where}: metadata.json target_prefix must be a string")
    return metadata


def _member_path(info: zipfile.ZipInfo, where: str) -> PurePosixPath:
    """The member's relative path, or InvalidInput when it could escape the extraction directory."""
    name = info.filename
    parts = name.rstrip("/").split("/")
    if name.startswith("/") or "\\" in name or ":" in parts[0] or any(part in ("", ".", "..") for part in parts):
        raise InvalidInput(f"{where}: unsafe path {name!r} in archive (absolute, drive or '..' entries are refused)")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise InvalidInput(f"{where}: archive entry {name!r} is a symbolic link; links are refused")
    return PurePosixPath(*parts)


def _check_archive(archive: zipfile.ZipFile, where: str) -> tuple[str, dict]:
    """Validate the layout; return the top directory name and the metadata."""
    members = archive.infolist()
    if not members:
        raise InvalidInput(f"{where}: the archive is empty")
    paths = [_member_path(info, where) for info in members]
    tops = {path.parts[0] for path in paths}
    if len(tops) != 1:
        raise InvalidInput(f"{where}: an .argosmodel holds exactly one top directory; found {len(tops)}: "
                           f"{', '.join(sorted(tops)[:5])}")
    top = tops.pop()
    names = {path.as_posix() for path in paths}
    if any(len(path.parts) == 1 and not members[i].is_dir() for i, path in enumerate(paths)):
        raise InvalidInput(f"{where}: the archive's top level must be one directory, not a file")
    if f"{top}/metadata.json" not in names:
        raise InvalidInput(f"{where}: not an Argos package: no {top}/metadata.json")
    if f"{top}/model/model.bin" not in names:
        raise InvalidInput(f"{where}: not an Argos translate package: no {top}/model/model.bin (CTranslate2 model)")
    if f"{top}/sentencepiece.model" not in names:
        hint = " (BPE-tokenized packages are not supported)" if f"{top}/bpe.model" in names else ""
        raise InvalidInput(f"{where}: no {top}/sentencepiece.model{hint}")
    total = sum(info.file_size for info in members)
    if total > MAX_PACKAGE_BYTES:
        raise InvalidInput(f"{where}: archive expands to {total} bytes, over the {MAX_PACKAGE_BYTES} byte limit")
    metadata = _read_metadata(archive.read(f"{top}/metadata.json"), where)
    return top, metadata


def _extract(archive: zipfile.ZipFile, top: str, destination: Path) -> None:
    """Extract the top directory's contents into destination (paths already checked by _member_path)."""
    prefix = top + "/"
    for info in archive.infolist():
        relative = info.filename[len(prefix):] if info.filename.startswith(prefix) else ""
        if not relative:
            continue
        target = destination / relative
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, open(target, "wb") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)


@contextmanager
def _package_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    """The package file opened as a zip archive; InvalidInput naming the file when it is missing, not a zip, or
    found damaged while the caller reads it."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise InvalidInput(f"{path}: not an Argos package (an .argosmodel file is a zip archive)")
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as error:
        raise InvalidInput(f"{path}: damaged or unsupported zip archive ({error})") from None


def _stage(path: Path, staging: Path) -> dict:
    """Extract a package into staging and load it; its metadata, or InvalidInput naming the file."""
    with _package_archive(path) as archive:
        top, metadata = _check_archive(archive, str(path))
        _extract(archive, top, staging)
    (staging / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False),
                                           encoding="utf-8")  # codes normalised ("zh-CN" -> "zh")
    try:
        load_package(staging)
    except PackageUnloadable as error:
        raise InvalidInput(f"{path}: the package cannot be loaded ({error}); nothing was installed or "
                           "replaced") from None
    return metadata


def _commit(staging: Path, metadata: dict, model_dir: Path) -> ModelInfo:
    """Move a staged package into place, replacing the pair's previous package."""
    name = f"translate-{metadata['from_code']}_{metadata['to_code']}"
    final = model_dir / name
    if final.exists():  # re-install: swap in the new one, then drop the old one
        retired = Path(tempfile.mkdtemp(prefix=".replaced-", dir=model_dir))
        os.replace(final, retired / name)
        os.replace(staging, final)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, final)
    return _info(final, metadata)


def _info(directory: Path, metadata: dict) -> ModelInfo:
    return ModelInfo(from_code=metadata["from_code"], to_code=metadata["to_code"],
                     version=str(metadata.get("package_version", "")), name=directory.name, path=directory,
                     target_prefix=metadata.get("target_prefix", "") or "")


def install_packages(paths: list[Path], model_dir: Path) -> list[ModelInfo]:
    """Install local .argosmodel files into model_dir (created if missing); return what was installed, in order.

    Every file is checked before any is installed, so one bad file installs nothing. Raises InvalidInput naming the
    file and the problem (not a zip, no metadata.json, unsafe paths, unsupported language, ...).
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise InvalidInput("no package files given")
    for path in paths:  # check first: cheap (reads only the zip directory and metadata.json)
        with _package_archive(path) as archive:
            _check_archive(archive, str(path))
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    stagings = [Path(tempfile.mkdtemp(prefix=".installing-", dir=model_dir)) for _ in paths]
    try:  # every package extracted and loaded before any replaces what is installed
        staged = [_stage(path, staging) for path, staging in zip(paths, stagings)]
        return [_commit(staging, metadata, model_dir) for staging, metadata in zip(stagings, staged)]
    finally:
        for staging in stagings:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


def list_packages(model_dir: Path, problems: list[str] | None = None) -> list[ModelInfo]:
    """Installed packages in model_dir, sorted by pair; [] when the directory does not exist.

    A package directory whose metadata.json is unreadable raises InvalidInput (reinstall it) — or, when `problems`
    is given, is left out and described there in one line.
    """
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return []
    found = []
    for directory in sorted(model_dir.iterdir()):
        if directory.name.startswith(".") or not (directory / "metadata.json").is_file():
            continue
        try:
            metadata = _read_metadata((directory / "metadata.json").read_bytes(), str(directory))
        except InvalidInput as error:
            if problems is None:
                raise
            problems.append(f"{directory.name}: {str(error).removeprefix(f'{directory}: ')}; reinstall it with: "
                            f"{INSTALL_HINT}")
            continue
        found.append(_info(directory, metadata))
    return sorted(found, key=lambda info: (info.from_code, info.to_code, info.name))

