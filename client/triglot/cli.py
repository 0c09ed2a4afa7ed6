"""The `triglot` command line: a thin layer over triglot.client (and, for `serve`/`models`, the server package).

Client commands talk to a server at --server TARGET (any gRPC target: one address, or replicas; see triglot.client),
else $TRIGLOT_SERVER, else 127.0.0.1:50051.
Errors are one line on stderr ("triglot: error: ...") and exit status 1 (2 for usage errors); never a traceback
(set TRIGLOT_DEBUG=1 to see one for an unexpected error).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import traceback
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

# gRPC's C core logs its own copy of some errors (e.g. a failed bind) to stderr; the CLI reports each error in one
# line of its own, so the core stays quiet unless the user asks (GRPC_VERBOSITY=debug). Set before grpc loads.
os.environ.setdefault("GRPC_VERBOSITY", "NONE")

import grpc  # noqa: E402

from triglot import formats, render  # noqa: E402
from triglot import batch  # noqa: E402
from triglot.formats import DEFAULT_THRESHOLD as FINDINGS_THRESHOLD  # noqa: E402
from triglot.client import (DEFAULT_ADDRESS, DEFAULT_TIMEOUT, TriglotClient, TriglotError, file,  # noqa: E402
                            version)
from triglot.v1 import triglot_pb2 as pb  # noqa: E402

SERVER_EXTRA_HINT = "install the server extra: pip install '.[server]' in a clone of triglot (see the README)"
# Defaults shown in `serve --help`; the server's own (triglot_server.limits) apply when the flags are not given.
HEAVY_WORKERS_DEFAULT = 2
MAX_QUEUE_DEFAULT = 4


class CliError(Exception):
    """A problem to report in one line."""


# --- input ------------------------------------------------------------------------------------------------------

def display_name(path: str) -> str:
    """How messages name an input path ("-" is stdin)."""
    return "stdin" if path == "-" else printable(path)


def read_bytes(path: str, limit: int | None = None) -> bytes:
    """The bytes of a file ("-" is stdin), refused over `limit` bytes before it is read."""
    name = display_name(path)
    try:
        if limit is not None and path != "-" and (size := Path(path).stat().st_size) > limit:
            raise CliError(f"{name}: {size:,} bytes is over the limit of {limit:,} for a document")
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise CliError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{name}: is a directory, not a file") from None
    except OSError as error:
        raise CliError(f"{name}: cannot read: {error.strerror or error}") from None


def read_text(path: str) -> str:
    """A UTF-8 file ("-" is stdin); a leading byte-order mark is dropped."""
    name = display_name(path)
    data = read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CliError(f"{name} is not valid UTF-8: byte 0x{data[error.start]:02x} at offset {error.start} "
                       f"({error.reason})") from None
    return text.removeprefix("\ufeff")


def split_lines(text: str) -> list[str]:
    """Lines as Python's universal newlines read them (\\n, \\r\\n, \\r); a final line break ends the last line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_sentences(path: str) -> list[str]:
    """A one-sentence-a-line file; a blank line is an error, since line numbers are sentence ids."""
    lines = split_lines(read_text(path))
    if not all(map(str.strip, lines)):  # the check in C; the loop finds the line to name
        for number, line in enumerate(lines, 1):
            if not line.strip():
                raise CliError(f"{display_name(path)} line {number} is blank: "
                               "with --presplit every line must be one sentence")
    if not lines:
        raise CliError(f"{display_name(path)} is empty")
    return lines


MAX_FILE_BYTES = 32 * 1024 * 1024
"""Largest file sent as a document (the server's limit, triglot_server.engine.documents.MAX_FILE_BYTES)."""
FORMATS = {"html": "text/html", "pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text": "text/plain"}


def read_file(path: str, media_type: str = "") -> Any:
    """A file as a document for the server to extract (HTML, PDF, DOCX, text in any common encoding: the server
    recognises the type from the content unless `media_type` says it)."""
    return file(read_bytes(path, MAX_FILE_BYTES), media_type, display_name(path))


def read_document(path: str, presplit: bool, from_format: str | None = None) -> Any:
    """One sentence a line (--presplit), else the file for the server to extract."""
    return read_sentences(path) if presplit else read_file(path, FORMATS.get(from_format or "", ""))


# --- output -----------------------------------------------------------------------------------------------------

def tsv_field(text: str) -> str:
    """Escape backslash, tab and line breaks so each record stays one line of tab-separated fields."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def ids_label(ids: Sequence[int]) -> str:
    return "[" + ",".join(map(str, ids)) + "]"


def sentence_dict(s: Any) -> dict[str, Any]:
    return {"index": s.index, "text": s.text, "start": s.start, "end": s.end}


def terminal_width(requested: int | None) -> int:
    return requested or shutil.get_terminal_size((100, 24)).columns


def print_lines(lines: Iterable[str]) -> None:
    # One write, not one a line: stdout may be unbuffered (PYTHONUNBUFFERED), and a book is thousands of lines.
    sys.stdout.write("".join(f"{line}\n" for line in lines))


def show_translation(response: Any, fmt: str, width: int | None) -> None:
    if fmt == "json":
        print(json.dumps({
            "source_language": response.source_language,
            "target_language": response.target_language,
            "route": list(response.route),
            "models": list(response.models),
            "signature": response.signature,
            "pairs": [{"source": sentence_dict(p.source), "translation": p.translation, "flags": list(p.flags),
                       "retry": p.retry} for p in response.pairs],
        }, ensure_ascii=False, indent=2))
    elif fmt == "tsv":
        for p in response.pairs:
            print(f"{p.source.index}\t{tsv_field(p.source.text)}\t{tsv_field(p.translation)}\t{','.join(p.flags)}")
    else:
        route = " → ".join(response.route)
        print(f"# {route}  ({', '.join(response.models)})")
        print_lines(render.side_by_side(((f"{p.source.index} {p.source.text}",
                                          render.flagged(p.translation, p.flags))
                                         for p in response.pairs), terminal_width(width)))
        count = sum(1 for p in response.pairs if p.flags)
        if count:
            print(f"# {render.FLAG_MARK} {count} of {len(response.pairs)} translations flagged: "
                  "likely not translations")


def show_alignment(response: Any, fmt: str, width: int | None) -> None:
    if fmt == "json":
        print(json.dumps(formats.alignment_dict(response), ensure_ascii=False, indent=2))
        return
    if fmt == "align":  # the format of the gold files and alignscore.py: ids_label's "[0,1]:[2]", a bead a line
        sys.stdout.write("".join(f"{ids_label(b.source_ids)}:{ids_label(b.target_ids)}\n" for b in response.beads))
        return
    source = [s.text for s in response.source_sentences]
    target = [s.text for s in response.target_sentences]
    if fmt == "tsv":
        print_lines("\t".join([",".join(map(str, b.source_ids)), ",".join(map(str, b.target_ids)), f"{b.score:.3f}",
                               tsv_field(" ".join(source[i] for i in b.source_ids)),
                               tsv_field(" ".join(target[i] for i in b.target_ids))]) for b in response.beads)
    else:
        def cell(ids: Sequence[int], texts: list[str]) -> str:
            return f"{ids_label(ids)} " + " ".join(texts[i] for i in ids) if ids else "—"
        print(f"# {response.source_language} ↔ {response.target_language}  {response.signature}")
        print_lines(render.side_by_side(((cell(b.source_ids, source), cell(b.target_ids, target))
                                         for b in response.beads), terminal_width(width)))


# --- messages in terms of what was typed --------------------------------------------------------------------------

class Field(NamedTuple):
    """A request field the server may name in a message, and how the person gave it: the file, and the flag that
    sets its language."""

    prefix: str  # "versions[1].document", "source", "document"
    path: str  # the file
    language_flag: str  # "--languages", "--from-lang", ...
    presplit: bool


def in_terms_of(message: str, fields: Sequence[Field]) -> str:
    """The server's message with its request field names replaced by the files and flags the person typed."""
    for field in sorted(fields, key=lambda f: -len(f.prefix)):
        name = display_name(field.path)
        p = re.escape(field.prefix)
        message = re.sub(rf"set {p}\.language\b", f"give its language with {field.language_flag}", message)
        message = re.sub(rf"\b{p}\.language\b", f"the language given for {name} ({field.language_flag})", message)
        message = re.sub(rf"\b{p}\.sentences\.items\[(\d+)\]",
                         lambda m: f"{name} line {int(m.group(1)) + 1}", message)
        message = re.sub(rf"\b{p}(\.text|\.sentences\.items|\.sentences)?(?![\w.\[])", name, message)
    return message


@contextmanager
def speaking_of(fields: Sequence[Field]) -> Iterator[None]:
    """Rewrite an INVALID_ARGUMENT from the server in terms of `fields` (see in_terms_of)."""
    try:
        yield
    except TriglotError as error:
        if error.code != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        raise TriglotError(error.code, in_terms_of(error.details, fields), error.address) from None


# --- commands ---------------------------------------------------------------------------------------------------

def _read_pem(path: str | None, what: str) -> bytes | None:
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CliError(f"cannot read the {what} {path}: {error.strerror}") from None


GRPC_SCHEMES = ("dns:", "unix:", "unix-abstract:", "ipv4:", "ipv6:")  # targets gRPC resolves itself


def check_server_address(address: str) -> None:
    """CliError unless --server is HOST:PORT (or a gRPC target such as dns:///host:port or unix:/path)."""
    if address.startswith(GRPC_SCHEMES):
        return
    if "://" in address:
        raise CliError(f"--server {address}: give HOST:PORT, without a scheme (e.g. 127.0.0.1:50051); TLS is "
                       "--tls-ca, not https://")
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CliError(f"--server {address}: give HOST:PORT with a port number (e.g. 127.0.0.1:50051)")


def connect(args: argparse.Namespace) -> TriglotClient:
    """A client for --server, with TLS when --tls-ca is given (mutual with --tls-cert/--tls-key) and a token."""
    if bool(args.tls_cert) != bool(args.tls_key):
        raise CliError("--tls-cert and --tls-key go together (the client certificate and its key)")
    if args.tls_cert and not args.tls_ca:
        raise CliError("--tls-cert needs --tls-ca (the CA that signed the server's certificate)")
    check_server_address(args.server)
    token = args.token if args.token is not None else os.environ.get("TRIGLOT_TOKEN") or None
    try:
        return TriglotClient(args.server, timeout=args.timeout,
                             root_certificates=_read_pem(args.tls_ca, "server CA certificate"),
                             private_key=_read_pem(args.tls_key, "client key"),
                             certificate_chain=_read_pem(args.tls_cert, "client certificate"),
                             server_name=args.tls_server_name or None, token=token,
                             wait_when_busy=args.wait)
    except ValueError as error:
        raise CliError(str(error)) from None


@contextmanager
def connected(args: argparse.Namespace) -> Iterator[TriglotClient]:
    """connect(args) for one command; the channel closes without making the command wait (the process ends)."""
    client = connect(args)
    try:
        yield client
    finally:
        client.close(wait=False)


LONG_DOCUMENT = 50
"""Sentences from which `translate` shows its progress by default."""


def translate_streamed(client: TriglotClient, content: str | list[str], args: argparse.Namespace) -> Any:
    """The whole TranslateResponse, built from TranslateStream; progress on stderr with --progress, or by default
    when the document has more than LONG_DOCUMENT sentences."""
    response = pb.TranslateResponse()
    progress: ProgressLine | None = None
    try:
        for message in client.translate_stream(content, args.to, source=args.source):
            if message.source_language:  # the first message says how the document is translated
                response.source_language, response.target_language = message.source_language, message.target_language
                response.route.extend(message.route)
                response.models.extend(message.models)
                response.signature = message.signature
                if args.progress or (args.progress is None and message.total > LONG_DOCUMENT):
                    progress = ProgressLine(sys.stderr)
            response.pairs.extend(message.pairs)
            if progress:
                progress.update("translate", message.done, message.total)
    finally:
        if progress:
            progress.close()
    return response


def cmd_translate(args: argparse.Namespace) -> None:
    content = read_document(args.file, args.presplit, args.from_format)
    with connected(args) as client, speaking_of([Field("document", args.file, "--from", args.presplit)]):
        response = translate_streamed(client, content, args)
    show_translation(response, args.format, args.width)


def cmd_align(args: argparse.Namespace) -> None:
    if args.source == "-" and args.target == "-":
        raise CliError("only one of the two documents can be read from stdin (-)")
    source = read_document(args.source, args.presplit, args.from_format)
    target = read_document(args.target, args.presplit, args.from_format)
    source_translations = split_lines(read_text(args.source_translations)) if args.source_translations else None
    target_translations = split_lines(read_text(args.target_translations)) if args.target_translations else None
    fields = [Field("source", args.source, "--from-lang", args.presplit),
              Field("target", args.target, "--to-lang", args.presplit)]
    with connected(args) as client, speaking_of(fields):
        response = client.align(source, target, source_language=args.from_lang, target_language=args.to_lang,
                                source_translations=source_translations, target_translations=target_translations)
    show_alignment(response, args.format, args.width)


def cmd_extract(args: argparse.Namespace) -> None:
    with connected(args) as client:
        response = client.extract(read_file(args.file, FORMATS.get(args.from_format or "", "")))
    print(f"# {display_name(args.file)}: {response.media_type} via {response.method}", file=sys.stderr)
    write_output(response.text if response.text.endswith("\n") else response.text + "\n", args.output)


def cmd_detect(args: argparse.Namespace) -> None:
    text = read_text(args.file)
    with connected(args) as client:
        language, confidence = client.detect_language(text)
    print(f"{language}\t{confidence:.3f}")


def cmd_languages(args: argparse.Namespace) -> None:
    with connected(args) as client:
        response = client.list_languages()
    print("languages: " + ", ".join(f"{l.code} ({l.name})" for l in response.languages))
    if not response.pairs:
        print("no translation models installed: install with `triglot models install FILE.argosmodel`")
    for pair in response.pairs:
        how = f"via {'+'.join(pair.via)}" if pair.via else "direct"
        print(f"{pair.source} → {pair.target}\t{how}\t{', '.join(pair.models)}")
    for problem in response.unavailable_models:
        print(f"unavailable: {problem}")


def printable(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by Python as lone surrogates) become U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace")


def version_names(paths: Sequence[str]) -> list[str]:
    """Labels of the versions: file names without extension (zh.txt -> zh); whole names, then paths, if ambiguous."""
    for label in (lambda p: Path(p).stem, lambda p: Path(p).name, str):
        names = ["stdin" if p == "-" else printable(label(p) or p) for p in paths]
        if len(set(names)) == len(names):
            return names
    return [f"{k}:{p}" for k, p in enumerate(paths)]


class ProgressLine:
    """Progress on stderr: one line rewritten in place on a terminal, a line per change otherwise."""

    STAGES = {"translate": "translating sentences", "gloss": "glossing sentences", "align": "aligning versions to the pivot",
              "findings": "finding divergences in rows"}

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.shown = ""

    def __call__(self, event: Any) -> None:
        self.update(event.stage, event.done, event.total)

    def update(self, stage: str, done: int, total: int) -> None:
        text = f"triglot: {self.STAGES.get(stage, stage)} {done}/{total}"
        if text == self.shown:
            return
        if self.live:
            self.stream.write("\r" + text.ljust(len(self.shown)))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.shown = text

    def close(self) -> None:
        if self.live and self.shown:
            self.stream.write("\n")
            self.stream.flush()


def write_output(text: str, path: str | None) -> None:
    if not path or path == "-":
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CliError(f"{path}: cannot write: {error.strerror or error}") from None


def cmd_compare(args: argparse.Namespace) -> None:
    files: list[str] = args.files
    if len(files) < 2:
        raise CliError("compare needs at least two files (versions of one document)")
    if files.count("-") > 1:
        raise CliError("only one of the files can be read from stdin (-)")
    languages = [code.strip() for code in args.languages.split(",")] if args.languages else [""] * len(files)
    if len(languages) != len(files):
        raise CliError(f"--languages gives {len(languages)} languages for {len(files)} files")
    versions = [version(read_document(path, args.presplit, args.from_format), language, name)
                for path, language, name in zip(files, languages, version_names(files))]
    show = sys.stderr.isatty() if args.progress is None else args.progress
    progress = ProgressLine(sys.stderr) if show else None
    fields = [Field(f"versions[{k}].document", path, "--languages", args.presplit) for k, path in enumerate(files)]
    with connected(args) as client, speaking_of(fields):
        try:
            response = client.compare_stream(versions, pivot_language=args.pivot, gloss_language=args.gloss,
                                             on_progress=progress)
        finally:
            if progress:
                progress.close()
    names = ", ".join(v.name for v in response.versions)
    text = formats.write(response, args.format, width=terminal_width(args.width),
                         title=f"triglot comparison: {names}", tool_version=_version(),
                         all_findings=args.all_findings)
    write_output(text, args.output)


def cmd_batch(args: argparse.Namespace) -> None:
    if args.jobs < 1:
        raise CliError("--jobs must be at least 1")
    try:
        sets = batch.read_manifest(args.manifest)
    except batch.BatchError as error:
        raise CliError(str(error)) from None
    output = args.output if args.output and args.output != "-" else sys.stdout
    show = sys.stderr.isatty() if args.progress is None else args.progress
    progress = batch.TerminalProgress(sys.stderr) if show else None
    with connected(args) as client:
        try:
            result = batch.run_batch(client, sets, output, call=batch.Call(args.call), jobs=args.jobs,
                                     presplit=args.presplit, pivot_language=args.pivot, gloss_language=args.gloss,
                                     on_progress=progress)
        except batch.BatchError as error:
            raise CliError(str(error)) from None
        except OSError as error:
            raise CliError(f"{args.output}: cannot write: {error.strerror or error}") from None
        finally:
            if progress:
                progress.close()
    skipped = f" ({result.skipped} already in {args.output})" if result.skipped else ""
    if result.failed:
        codes = ", ".join(f"{code} {count}" for code, count in result.failures.most_common())
        raise CliError(f"{result.failed} of {result.total} sets failed ({codes}); each failure's line in "
                       f"{args.output or 'the output'} says why{skipped}")
    print(f"triglot: {result.total} sets OK{skipped}", file=sys.stderr)


def _server_module(name: str) -> Any:
    """Import a module of the server package, or explain which extra to install."""
    import importlib
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if (error.name or "").startswith("triglot_server."):  # our own module missing: not a missing extra
            raise CliError(f"broken installation of the triglot server: {error}") from None
        raise CliError(f"{SERVER_EXTRA_HINT} ({error})") from None


def _model_dir(args: argparse.Namespace, translation: Any) -> Path:
    return Path(args.models) if args.models else translation.default_model_dir()


def cmd_serve(args: argparse.Namespace) -> None:
    server = _server_module("triglot_server.server")
    translation = _server_module("triglot_server.engine.translation")
    security = _server_module("triglot_server.security")
    observability = _server_module("triglot_server.observability")
    observability.configure_logging(args.log_format)
    model_dir = _model_dir(args, translation)
    if bool(args.tls_cert) != bool(args.tls_key):
        raise CliError("--tls-cert and --tls-key go together (the server certificate chain and its private key)")
    if args.tls_client_ca and not args.tls_cert:
        raise CliError("--tls-client-ca (mutual TLS) needs TLS: give --tls-cert and --tls-key too")
    for flag, value, least in (("--workers", args.workers, 1), ("--max-queue", args.max_queue, 0),
                               ("--grace", args.grace, 0), ("--metrics-port", args.metrics_port, 0)):
        if value is not None and value < least:
            raise CliError(f"{flag} must be at least {least}")
    try:
        tls = security.TlsConfig.from_files(args.tls_cert, args.tls_key, args.tls_client_ca) if args.tls_cert \
            else None
        tokens = security.TokenSet.from_environment(args.tokens_file)
    except security.SecurityError as error:
        raise CliError(str(error)) from None
    try:
        translation_settings = translation.parse_settings(args.translation_setting or [])
    except _server_module("triglot_server.engine.types").InvalidInput as error:
        raise CliError(str(error)) from None

    def say(message: str) -> None:
        print(message, flush=True)

    try:
        server.serve(args.listen, model_dir, grace=args.grace, translation_settings=translation_settings,
                     on_listening=lambda address: say(f"triglot: listening on {address}, loading models ..."),
                     on_ready=lambda detail: say(f"triglot: ready on {detail}; Ctrl-C stops"),
                     heavy_workers=args.workers, max_queue=args.max_queue, tls=tls, tokens=tokens,
                     metrics_port=args.metrics_port, metrics_host=args.metrics_host,
                     insecure_listen=args.insecure_listen, max_call_seconds=args.max_call_seconds,
                     max_connection_idle=args.max_connection_idle, max_connection_age=args.max_connection_age)
    except server.ListenError as error:
        raise CliError(str(error)) from None
    say("triglot: stopped")


def _describe(info: Any) -> str:
    """One line for a triglot_server.engine.translation.ModelInfo."""
    return f"{info.from_code} → {info.to_code}\t{info.version or '-'}\t{info.path}"


def cmd_models_install(args: argparse.Namespace) -> None:
    translation = _server_module("triglot_server.engine.translation")
    types = _server_module("triglot_server.engine.types")
    paths = [Path(p) for p in args.files]
    for path in paths:
        if not path.is_file():
            raise CliError(f"{path}: no such file")
    model_dir = _model_dir(args, translation)
    try:
        installed = translation.install_packages(paths, model_dir)
    except types.EngineError as error:
        raise CliError(str(error)) from None
    for info in installed:
        print(f"installed {_describe(info)}")
    print(f"model directory: {model_dir}")


def cmd_models_list(args: argparse.Namespace) -> None:
    translation = _server_module("triglot_server.engine.translation")
    model_dir = _model_dir(args, translation)
    packages = translation.list_packages(model_dir)
    print(f"model directory: {model_dir}")
    if not packages:
        print("no models installed: install with `triglot models install FILE.argosmodel`")
    for info in packages:
        print(_describe(info))


# --- arguments --------------------------------------------------------------------------------------------------

def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("triglot")
    except PackageNotFoundError:
        return "unknown"


class _LazyVersion(argparse._VersionAction):
    """--version, looking the version up only when asked: importlib.metadata costs every command ~10-60 ms."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        self.version = f"triglot {_version()}"
        super().__call__(parser, *args)


def positive(kind: type) -> Callable[[str], Any]:
    """An argparse type: a number of `kind` above 0 (argparse names the flag in its message)."""
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triglot", description="Offline translation and sentence alignment of English, Chinese and Arabic "
                                    "readouts, through a triglot gRPC server.")
    parser.add_argument("--version", action=_LazyVersion)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    client = argparse.ArgumentParser(add_help=False)
    client.add_argument("--server", metavar="TARGET", default=os.environ.get("TRIGLOT_SERVER") or DEFAULT_ADDRESS,
                        help="server address, any gRPC target: HOST:PORT, dns:///NAME:PORT (every address of the "
                             "name), ipv4:HOST:PORT,HOST:PORT; calls go round robin over the ready ones "
                             f"(default: $TRIGLOT_SERVER, else {DEFAULT_ADDRESS})")
    client.add_argument("--timeout", type=positive(float), default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"deadline of each call (default: {DEFAULT_TIMEOUT:g})")
    client.add_argument("--wait", action="store_true",
                        help="when the server is busy (RESOURCE_EXHAUSTED), send again with backoff until --timeout "
                             "instead of failing")
    client.add_argument("--tls-ca", metavar="FILE",
                        help="CA certificate (PEM) that signed the server's certificate; turns TLS on")
    client.add_argument("--tls-cert", metavar="FILE", help="client certificate (PEM), for mutual TLS")
    client.add_argument("--tls-key", metavar="FILE", help="private key (PEM) of --tls-cert")
    client.add_argument("--tls-server-name", metavar="NAME",
                        help="name to check the server's certificate against (default: the host of --server)")
    client.add_argument("--token", metavar="TOKEN",
                        help="bearer token sent with every call (default: $TRIGLOT_TOKEN); prefer the "
                             "environment variable, command lines are visible to other users")
    formats = argparse.ArgumentParser(add_help=False)
    formats.add_argument("--from-format", choices=tuple(FORMATS), metavar="FORMAT",
                         help="read every file as html, pdf, docx or text (default: recognised from the content; "
                              "text in UTF-8, UTF-16/32 with a BOM, GB18030, Big5 or Windows-1256)")
    shown = argparse.ArgumentParser(add_help=False)
    shown.add_argument("--width", type=positive(int), metavar="COLUMNS", help="width of the text format (default: terminal)")
    models_dir = argparse.ArgumentParser(add_help=False)
    models_dir.add_argument("--models", metavar="DIR",
                            help="model directory (default: $TRIGLOT_MODELS, else ~/.local/share/triglot/models)")

    serve = commands.add_parser("serve", parents=[models_dir], help="run a triglot server",
                                description="Run a triglot gRPC server (needs the server extra).")
    serve.add_argument("--listen", metavar="HOST:PORT", default=DEFAULT_ADDRESS,
                       help=f"address to listen on (default: {DEFAULT_ADDRESS}; port 0 picks a free port)")
    serve.add_argument("--insecure-listen", action="store_true",
                       help="allow plaintext (no TLS) on an address other machines can reach")
    serve.add_argument("--tls-cert", metavar="FILE", help="server certificate chain (PEM); turns TLS on")
    serve.add_argument("--tls-key", metavar="FILE", help="private key (PEM) of --tls-cert")
    serve.add_argument("--tls-client-ca", metavar="FILE",
                       help="CA certificate (PEM): require every client to present a certificate it signed (mTLS)")
    serve.add_argument("--tokens-file", metavar="FILE",
                       help="require a bearer token from this file (one a line, # comments); $TRIGLOT_TOKENS adds "
                            "comma-separated tokens. The health service needs none")
    serve.add_argument("--workers", type=int, metavar="N",
                       help=f"heavy calls (translate, align, compare) run at once (default: {HEAVY_WORKERS_DEFAULT})")
    serve.add_argument("--max-queue", type=int, metavar="N",
                       help=f"heavy calls that may wait for a worker; more are refused RESOURCE_EXHAUSTED "
                            f"(default: {MAX_QUEUE_DEFAULT})")
    serve.add_argument("--max-call-seconds", type=positive(float), metavar="SECONDS",
                       help="cancel a heavy call whose caller set no deadline after this long (default: 900)")
    serve.add_argument("--max-connection-idle", type=positive(float), metavar="SECONDS",
                       help="close a connection with no call for this long (default: 300)")
    serve.add_argument("--max-connection-age", type=positive(float), metavar="SECONDS",
                       help="ask a connection to go away after this long; its calls get --max-call-seconds to "
                            "finish (default: 3600)")
    serve.add_argument("--grace", type=float, default=30.0, metavar="SECONDS",
                       help="on SIGTERM/SIGINT, how long running calls get to finish before they are cancelled "
                            "(default: 30)")
    serve.add_argument("--metrics-port", type=int, metavar="PORT",
                       help="serve Prometheus metrics at http://HOST:PORT/metrics (default: off)")
    serve.add_argument("--metrics-host", default="127.0.0.1", metavar="HOST",
                       help="address of the metrics endpoint (default: 127.0.0.1)")
    serve.add_argument("--log-format", choices=("text", "json"), default="text",
                       help="server log lines as text or as JSON objects (default: text)")
    serve.add_argument("--translation-setting", action="append", metavar="KEY=VALUE",
                       help="a translation engine setting, e.g. beam_size=2 or retry_flagged=false (repeatable; "
                            "the settings and their measured defaults are in the README)")
    serve.set_defaults(run=cmd_serve)

    translate = commands.add_parser("translate", parents=[client, shown, formats], help="translate a document",
                                    description="Translate every sentence of FILE (- for stdin).")
    translate.add_argument("file", metavar="FILE")
    translate.add_argument("--to", required=True, metavar="LANG", help="target language: en, zh or ar")
    translate.add_argument("--from", dest="source", default="", metavar="LANG",
                           help="source language (default: detected)")
    translate.add_argument("--presplit", action="store_true", help="FILE has one sentence a line")
    translate.add_argument("--format", choices=("text", "json", "tsv"), default="text",
                           help="text: side by side, flagged translations marked ⚠; json; tsv: index, sentence, "
                                "translation, quality flags (default: text)")
    translate.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                           help=f"show progress on stderr (default: for documents over {LONG_DOCUMENT} sentences)")
    translate.set_defaults(run=cmd_translate)

    align = commands.add_parser("align", parents=[client, shown, formats],
                                help="align the sentences of two documents",
                                description="Align the sentences of documents A (source) and B (target).")
    align.add_argument("source", metavar="A")
    align.add_argument("target", metavar="B")
    align.add_argument("--from-lang", default="", metavar="LANG", help="language of A (default: detected)")
    align.add_argument("--to-lang", default="", metavar="LANG", help="language of B (default: detected)")
    align.add_argument("--presplit", action="store_true", help="A and B have one sentence a line")
    align.add_argument("--source-translations", metavar="FILE",
                       help="one translation of each sentence of A into B's language, a line each")
    align.add_argument("--target-translations", metavar="FILE",
                       help="one translation of each sentence of B into A's language, a line each")
    align.add_argument("--format", choices=("text", "json", "tsv", "align"), default="text",
                       help="text: pairs side by side; json; tsv: ids, ids, score, texts; "
                            "align: one bead a line, [src ids]:[tgt ids] (default: text)")
    align.set_defaults(run=cmd_align)

    compare = commands.add_parser(
        "compare", parents=[client, shown, formats], help="compare versions of one document side by side",
        description="Align every version to a pivot version and list where they diverge (omissions, additions, "
                    "number/name mismatches, content differences), with evidence.")
    compare.add_argument("files", nargs="+", metavar="FILE", help="two or more versions (- for stdin, once)")
    compare.add_argument("--pivot", default="", metavar="LANG",
                         help="language of the version the others are aligned to (default: zh if present, else the "
                              "first file)")
    compare.add_argument("--gloss", default="", metavar="LANG",
                         help="language of machine glosses, made when models are installed (default: en)")
    compare.add_argument("--languages", default="", metavar="LANG,LANG,...",
                         help="the files' languages, in order (default: detected)")
    compare.add_argument("--presplit", action="store_true", help="the files have one sentence a line")
    compare.add_argument("--format", choices=("text", "json", "tsv", "tmx", "html"), default="text",
                         help="text: side by side, then the findings; json (schema in the README); tsv: a row a "
                              "line; tmx: TMX 1.4; html: a self-contained report (default: text)")
    compare.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of stdout")
    compare.add_argument("--all-findings", action="store_true",
                         help="text, tsv and html: show every finding, also those below the confidence threshold "
                              f"(default: {FINDINGS_THRESHOLD}); json and tmx always have all")
    compare.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                         help="show progress on stderr (default: when stderr is a terminal)")
    compare.set_defaults(run=cmd_compare)

    batches = commands.add_parser(
        "batch", parents=[client], help="compare (or align) every readout set of a manifest",
        description="Run compare (or align) for every readout set of MANIFEST, --jobs sets at once, writing one JSON "
                    "line per set as it finishes. An existing OUT is resumed: sets it holds as OK are skipped. A set "
                    "that fails is recorded with its status and the run goes on; the exit status is 0 only when "
                    "every set is OK. MANIFEST is TSV (header id<TAB>LANG<TAB>LANG..., a file per language) or JSONL "
                    '(.jsonl: {"id": ..., "files": {"zh": FILE, ...}} a line); paths relative to its directory.')
    batches.add_argument("manifest", metavar="MANIFEST")
    batches.add_argument("-o", "--output", metavar="OUT", help="JSON lines file, resumed when it exists "
                                                               "(default: stdout, no resume)")
    batches.add_argument("--call", choices=[c.value for c in batch.Call], default=batch.Call.COMPARE.value,
                         help="compare: all versions of a set; align: its first file to its second (default: compare)")
    batches.add_argument("--jobs", type=int, default=4, metavar="N",
                         help="sets in flight at once; spread over the servers' replicas (default: 4)")
    batches.add_argument("--pivot", default="", metavar="LANG", help="compare's pivot language (default: zh, else "
                                                                     "the first file)")
    batches.add_argument("--gloss", default="", metavar="LANG", help="compare's gloss language (default: en)")
    batches.add_argument("--presplit", action="store_true", help="the files have one sentence a line")
    batches.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                         help="progress bar with rate and ETA on stderr (default: when stderr is a terminal)")
    batches.set_defaults(run=cmd_batch)

    extract = commands.add_parser("extract", parents=[client, formats], help="print the text of a file",
                                  description="Print the text the server reads from FILE (an HTML page, PDF, "
                                              "DOCX or text file): what align, compare and translate split.")
    extract.add_argument("file", metavar="FILE")
    extract.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of stdout")
    extract.set_defaults(run=cmd_extract)

    detect = commands.add_parser("detect", parents=[client], help="detect the language of a text",
                                 description="Print the language (en, zh or ar) of FILE and the confidence.")
    detect.add_argument("file", metavar="FILE")
    detect.set_defaults(run=cmd_detect)

    languages = commands.add_parser("languages", parents=[client], help="list languages and installed pairs",
                                    description="List the supported languages and the server's translation pairs.")
    languages.set_defaults(run=cmd_languages)

    models = commands.add_parser("models", help="install or list translation models (local, no server)",
                                 description="Manage the local model directory.")
    model_commands = models.add_subparsers(dest="models_command", metavar="COMMAND", required=True)
    install = model_commands.add_parser("install", parents=[models_dir], help="install .argosmodel files",
                                        description="Install Argos Translate packages from local files.")
    install.add_argument("files", nargs="+", metavar="FILE.argosmodel")
    install.set_defaults(run=cmd_models_install)
    listing = model_commands.add_parser("list", parents=[models_dir], help="list installed models",
                                        description="List the installed translation packages.")
    listing.set_defaults(run=cmd_models_list)
    return parser


def _fail(message: str) -> NoReturn:
    print(f"triglot: error: {message}", file=sys.stderr)
    raise SystemExit(1)


def _rpc_message(error: TriglotError, tls: bool = False) -> str:
    details = error.details.lower()
    if error.code == grpc.StatusCode.UNAVAILABLE and ("dns resolution failed" in details
                                                      or "errors resolving" in details):
        return f"--server {error.address}: cannot resolve the host name (is it spelled right?)"
    if error.code == grpc.StatusCode.UNAVAILABLE and "wrong_version_number" in details:
        return (f"TLS with the triglot server at {error.address} failed: it does not answer in TLS (a plaintext "
                "server?): drop --tls-ca, or start the server with --tls-cert and --tls-key")
    if error.code == grpc.StatusCode.UNAVAILABLE and any(w in details for w in ("ssl", "handshake", "certificate")):
        return f"TLS with the triglot server at {error.address} failed: {error.details}"
    if error.code == grpc.StatusCode.UNAVAILABLE and "shutting down" in details:
        return str(error)
    if error.code == grpc.StatusCode.UNAVAILABLE and "loading models" not in error.details:
        hint = "" if tls else " (if it uses TLS, give --tls-ca)"
        return f"cannot reach the triglot server at {error.address}: is `triglot serve` running?{hint}"
    if error.code == grpc.StatusCode.UNAUTHENTICATED:
        return f"{error} (give --token or set TRIGLOT_TOKEN)"
    if error.code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return f"{error.code.name}: no answer from {error.address} in time (raise --timeout)"
    return str(error)  # "CODE: details"


# Options whose values are text sent to the server or used as names (file paths are not: any bytes are a valid path).
TEXT_OPTIONS = {"server": "--server", "token": "--token", "to": "--to", "from_lang": "--from-lang",
                "to_lang": "--to-lang", "pivot": "--pivot", "gloss": "--gloss", "languages": "--languages",
                "tls_server_name": "--tls-server-name", "listen": "--listen", "metrics_host": "--metrics-host",
                "translation_setting": "--translation-setting"}


def check_text_options(args: argparse.Namespace) -> None:
    """CliError naming the flag whose value has bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    options = dict(TEXT_OPTIONS, **({"source": "--from"} if args.run is cmd_translate else {}))
    for dest, flag in options.items():
        values = getattr(args, dest, None)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str) and any("\ud800" <= ch <= "\udfff" for ch in value):
                raise CliError(f"{flag} {printable(value)!r} is not valid UTF-8: give it in UTF-8")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], None] = args.run
    try:
        check_text_options(args)
        run(args)
    except CliError as error:
        _fail(str(error))
    except TriglotError as error:
        _fail(_rpc_message(error, tls=bool(getattr(args, "tls_ca", None))))
    except KeyboardInterrupt:
        print("triglot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed: not an error worth a message
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit-time flush stays quiet
        return 0
    except Exception as error:  # noqa: BLE001 - never a traceback for the user
        if os.environ.get("TRIGLOT_DEBUG"):
            traceback.print_exc()
        _fail(f"unexpected {type(error).__name__}: {error} (set TRIGLOT_DEBUG=1 for details)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
