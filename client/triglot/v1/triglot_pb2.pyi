from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FindingKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FINDING_KIND_UNSPECIFIED: _ClassVar[FindingKind]
    FINDING_KIND_OMISSION: _ClassVar[FindingKind]
    FINDING_KIND_ADDITION: _ClassVar[FindingKind]
    FINDING_KIND_NUMBER_MISMATCH: _ClassVar[FindingKind]
    FINDING_KIND_NAME_MISMATCH: _ClassVar[FindingKind]
    FINDING_KIND_CONTENT_DIFFERENCE: _ClassVar[FindingKind]
    FINDING_KIND_LOW_CONFIDENCE: _ClassVar[FindingKind]

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_HIGH: _ClassVar[Severity]
    SEVERITY_MEDIUM: _ClassVar[Severity]
    SEVERITY_LOW: _ClassVar[Severity]
FINDING_KIND_UNSPECIFIED: FindingKind
FINDING_KIND_OMISSION: FindingKind
FINDING_KIND_ADDITION: FindingKind
FINDING_KIND_NUMBER_MISMATCH: FindingKind
FINDING_KIND_NAME_MISMATCH: FindingKind
FINDING_KIND_CONTENT_DIFFERENCE: FindingKind
FINDING_KIND_LOW_CONFIDENCE: FindingKind
SEVERITY_UNSPECIFIED: Severity
SEVERITY_HIGH: Severity
SEVERITY_MEDIUM: Severity
SEVERITY_LOW: Severity

class Document(_message.Message):
    __slots__ = ("text", "sentences", "file", "language")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SENTENCES_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    text: str
    sentences: SentenceList
    file: File
    language: str
    def __init__(self, text: _Optional[str] = ..., sentences: _Optional[_Union[SentenceList, _Mapping]] = ..., file: _Optional[_Union[File, _Mapping]] = ..., language: _Optional[str] = ...) -> None: ...

class SentenceList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[str]] = ...) -> None: ...

class File(_message.Message):
    __slots__ = ("data", "media_type", "name")
    DATA_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    media_type: str
    name: str
    def __init__(self, data: _Optional[bytes] = ..., media_type: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ExtractRequest(_message.Message):
    __slots__ = ("file",)
    FILE_FIELD_NUMBER: _ClassVar[int]
    file: File
    def __init__(self, file: _Optional[_Union[File, _Mapping]] = ...) -> None: ...

class ExtractResponse(_message.Message):
    __slots__ = ("text", "media_type", "method")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    text: str
    media_type: str
    method: str
    def __init__(self, text: _Optional[str] = ..., media_type: _Optional[str] = ..., method: _Optional[str] = ...) -> None: ...

class Sentence(_message.Message):
    __slots__ = ("index", "text", "start", "end")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    index: int
    text: str
    start: int
    end: int
    def __init__(self, index: _Optional[int] = ..., text: _Optional[str] = ..., start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class TranslateRequest(_message.Message):
    __slots__ = ("document", "target_language")
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    TARGET_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    document: Document
    target_language: str
    def __init__(self, document: _Optional[_Union[Document, _Mapping]] = ..., target_language: _Optional[str] = ...) -> None: ...

class TranslatedSentence(_message.Message):
    __slots__ = ("source", "translation", "flags", "retry")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TRANSLATION_FIELD_NUMBER: _ClassVar[int]
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    RETRY_FIELD_NUMBER: _ClassVar[int]
    source: Sentence
    translation: str
    flags: _containers.RepeatedScalarFieldContainer[str]
    retry: str
    def __init__(self, source: _Optional[_Union[Sentence, _Mapping]] = ..., translation: _Optional[str] = ..., flags: _Optional[_Iterable[str]] = ..., retry: _Optional[str] = ...) -> None: ...

class TranslateResponse(_message.Message):
    __slots__ = ("source_language", "target_language", "pairs", "route", "models", "signature", "source_text")
    SOURCE_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TARGET_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TEXT_FIELD_NUMBER: _ClassVar[int]
    source_language: str
    target_language: str
    pairs: _containers.RepeatedCompositeFieldContainer[TranslatedSentence]
    route: _containers.RepeatedScalarFieldContainer[str]
    models: _containers.RepeatedScalarFieldContainer[str]
    signature: str
    source_text: str
    def __init__(self, source_language: _Optional[str] = ..., target_language: _Optional[str] = ..., pairs: _Optional[_Iterable[_Union[TranslatedSentence, _Mapping]]] = ..., route: _Optional[_Iterable[str]] = ..., models: _Optional[_Iterable[str]] = ..., signature: _Optional[str] = ..., source_text: _Optional[str] = ...) -> None: ...

class TranslateStreamResponse(_message.Message):
    __slots__ = ("pairs", "done", "total", "source_language", "target_language", "route", "models", "signature", "source_text")
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    SOURCE_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TARGET_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TEXT_FIELD_NUMBER: _ClassVar[int]
    pairs: _containers.RepeatedCompositeFieldContainer[TranslatedSentence]
    done: int
    total: int
    source_language: str
    target_language: str
    route: _containers.RepeatedScalarFieldContainer[str]
    models: _containers.RepeatedScalarFieldContainer[str]
    signature: str
    source_text: str
    def __init__(self, pairs: _Optional[_Iterable[_Union[TranslatedSentence, _Mapping]]] = ..., done: _Optional[int] = ..., total: _Optional[int] = ..., source_language: _Optional[str] = ..., target_language: _Optional[str] = ..., route: _Optional[_Iterable[str]] = ..., models: _Optional[_Iterable[str]] = ..., signature: _Optional[str] = ..., source_text: _Optional[str] = ...) -> None: ...

class AlignRequest(_message.Message):
    __slots__ = ("source", "target", "source_translations", "target_translations")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TRANSLATIONS_FIELD_NUMBER: _ClassVar[int]
    TARGET_TRANSLATIONS_FIELD_NUMBER: _ClassVar[int]
    source: Document
    target: Document
    source_translations: _containers.RepeatedScalarFieldContainer[str]
    target_translations: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, source: _Optional[_Union[Document, _Mapping]] = ..., target: _Optional[_Union[Document, _Mapping]] = ..., source_translations: _Optional[_Iterable[str]] = ..., target_translations: _Optional[_Iterable[str]] = ...) -> None: ...

class Bead(_message.Message):
    __slots__ = ("source_ids", "target_ids", "score")
    SOURCE_IDS_FIELD_NUMBER: _ClassVar[int]
    TARGET_IDS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    source_ids: _containers.RepeatedScalarFieldContainer[int]
    target_ids: _containers.RepeatedScalarFieldContainer[int]
    score: float
    def __init__(self, source_ids: _Optional[_Iterable[int]] = ..., target_ids: _Optional[_Iterable[int]] = ..., score: _Optional[float] = ...) -> None: ...

class AlignResponse(_message.Message):
    __slots__ = ("source_language", "target_language", "source_sentences", "target_sentences", "beads", "signature", "source_text", "target_text")
    SOURCE_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TARGET_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SENTENCES_FIELD_NUMBER: _ClassVar[int]
    TARGET_SENTENCES_FIELD_NUMBER: _ClassVar[int]
    BEADS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TEXT_FIELD_NUMBER: _ClassVar[int]
    TARGET_TEXT_FIELD_NUMBER: _ClassVar[int]
    source_language: str
    target_language: str
    source_sentences: _containers.RepeatedCompositeFieldContainer[Sentence]
    target_sentences: _containers.RepeatedCompositeFieldContainer[Sentence]
    beads: _containers.RepeatedCompositeFieldContainer[Bead]
    signature: str
    source_text: str
    target_text: str
    def __init__(self, source_language: _Optional[str] = ..., target_language: _Optional[str] = ..., source_sentences: _Optional[_Iterable[_Union[Sentence, _Mapping]]] = ..., target_sentences: _Optional[_Iterable[_Union[Sentence, _Mapping]]] = ..., beads: _Optional[_Iterable[_Union[Bead, _Mapping]]] = ..., signature: _Optional[str] = ..., source_text: _Optional[str] = ..., target_text: _Optional[str] = ...) -> None: ...

class DetectLanguageRequest(_message.Message):
    __slots__ = ("text",)
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    def __init__(self, text: _Optional[str] = ...) -> None: ...

class DetectLanguageResponse(_message.Message):
    __slots__ = ("language", "confidence")
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    language: str
    confidence: float
    def __init__(self, language: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class ListLanguagesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Language(_message.Message):
    __slots__ = ("code", "name")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    code: str
    name: str
    def __init__(self, code: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class LanguagePair(_message.Message):
    __slots__ = ("source", "target", "via", "models")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    VIA_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    source: str
    target: str
    via: _containers.RepeatedScalarFieldContainer[str]
    models: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, source: _Optional[str] = ..., target: _Optional[str] = ..., via: _Optional[_Iterable[str]] = ..., models: _Optional[_Iterable[str]] = ...) -> None: ...

class ListLanguagesResponse(_message.Message):
    __slots__ = ("languages", "pairs", "unavailable_models")
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    UNAVAILABLE_MODELS_FIELD_NUMBER: _ClassVar[int]
    languages: _containers.RepeatedCompositeFieldContainer[Language]
    pairs: _containers.RepeatedCompositeFieldContainer[LanguagePair]
    unavailable_models: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, languages: _Optional[_Iterable[_Union[Language, _Mapping]]] = ..., pairs: _Optional[_Iterable[_Union[LanguagePair, _Mapping]]] = ..., unavailable_models: _Optional[_Iterable[str]] = ...) -> None: ...

class Version(_message.Message):
    __slots__ = ("name", "document")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    document: Document
    def __init__(self, name: _Optional[str] = ..., document: _Optional[_Union[Document, _Mapping]] = ...) -> None: ...

class CompareRequest(_message.Message):
    __slots__ = ("versions", "pivot_language", "gloss_language")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    PIVOT_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    GLOSS_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[Version]
    pivot_language: str
    gloss_language: str
    def __init__(self, versions: _Optional[_Iterable[_Union[Version, _Mapping]]] = ..., pivot_language: _Optional[str] = ..., gloss_language: _Optional[str] = ...) -> None: ...

class VersionInfo(_message.Message):
    __slots__ = ("name", "language", "sentences", "glosses", "gloss_signature", "gloss_quality", "text")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SENTENCES_FIELD_NUMBER: _ClassVar[int]
    GLOSSES_FIELD_NUMBER: _ClassVar[int]
    GLOSS_SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    GLOSS_QUALITY_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    name: str
    language: str
    sentences: _containers.RepeatedCompositeFieldContainer[Sentence]
    glosses: _containers.RepeatedScalarFieldContainer[str]
    gloss_signature: str
    gloss_quality: _containers.RepeatedCompositeFieldContainer[GlossQuality]
    text: str
    def __init__(self, name: _Optional[str] = ..., language: _Optional[str] = ..., sentences: _Optional[_Iterable[_Union[Sentence, _Mapping]]] = ..., glosses: _Optional[_Iterable[str]] = ..., gloss_signature: _Optional[str] = ..., gloss_quality: _Optional[_Iterable[_Union[GlossQuality, _Mapping]]] = ..., text: _Optional[str] = ...) -> None: ...

class GlossQuality(_message.Message):
    __slots__ = ("flags", "retry")
    FLAGS_FIELD_NUMBER: _ClassVar[int]
    RETRY_FIELD_NUMBER: _ClassVar[int]
    flags: _containers.RepeatedScalarFieldContainer[str]
    retry: str
    def __init__(self, flags: _Optional[_Iterable[str]] = ..., retry: _Optional[str] = ...) -> None: ...

class Cell(_message.Message):
    __slots__ = ("sentence_ids", "score")
    SENTENCE_IDS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    sentence_ids: _containers.RepeatedScalarFieldContainer[int]
    score: float
    def __init__(self, sentence_ids: _Optional[_Iterable[int]] = ..., score: _Optional[float] = ...) -> None: ...

class Row(_message.Message):
    __slots__ = ("index", "cells")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    CELLS_FIELD_NUMBER: _ClassVar[int]
    index: int
    cells: _containers.RepeatedCompositeFieldContainer[Cell]
    def __init__(self, index: _Optional[int] = ..., cells: _Optional[_Iterable[_Union[Cell, _Mapping]]] = ...) -> None: ...

class FindingRef(_message.Message):
    __slots__ = ("version", "language", "sentence", "start", "end")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SENTENCE_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    version: str
    language: str
    sentence: int
    start: int
    end: int
    def __init__(self, version: _Optional[str] = ..., language: _Optional[str] = ..., sentence: _Optional[int] = ..., start: _Optional[int] = ..., end: _Optional[int] = ...) -> None: ...

class Finding(_message.Message):
    __slots__ = ("kind", "refs", "evidence", "severity", "row", "confidence")
    KIND_FIELD_NUMBER: _ClassVar[int]
    REFS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    ROW_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    kind: FindingKind
    refs: _containers.RepeatedCompositeFieldContainer[FindingRef]
    evidence: str
    severity: Severity
    row: int
    confidence: float
    def __init__(self, kind: _Optional[_Union[FindingKind, str]] = ..., refs: _Optional[_Iterable[_Union[FindingRef, _Mapping]]] = ..., evidence: _Optional[str] = ..., severity: _Optional[_Union[Severity, str]] = ..., row: _Optional[int] = ..., confidence: _Optional[float] = ...) -> None: ...

class CompareResponse(_message.Message):
    __slots__ = ("versions", "rows", "findings", "pivot", "signature")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    PIVOT_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[VersionInfo]
    rows: _containers.RepeatedCompositeFieldContainer[Row]
    findings: _containers.RepeatedCompositeFieldContainer[Finding]
    pivot: str
    signature: str
    def __init__(self, versions: _Optional[_Iterable[_Union[VersionInfo, _Mapping]]] = ..., rows: _Optional[_Iterable[_Union[Row, _Mapping]]] = ..., findings: _Optional[_Iterable[_Union[Finding, _Mapping]]] = ..., pivot: _Optional[str] = ..., signature: _Optional[str] = ...) -> None: ...

class CompareProgress(_message.Message):
    __slots__ = ("stage", "done", "total")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    stage: str
    done: int
    total: int
    def __init__(self, stage: _Optional[str] = ..., done: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class CompareEvent(_message.Message):
    __slots__ = ("progress", "result")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    progress: CompareProgress
    result: CompareResponse
    def __init__(self, progress: _Optional[_Union[CompareProgress, _Mapping]] = ..., result: _Optional[_Union[CompareResponse, _Mapping]] = ...) -> None: ...
