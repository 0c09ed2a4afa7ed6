from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Document(_message.Message):
    __slots__ = ("text", "sentences", "language")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SENTENCES_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    text: str
    sentences: SentenceList
    language: str
    def __init__(self, text: _Optional[str] = ..., sentences: _Optional[_Union[SentenceList, _Mapping]] = ..., language: _Optional[str] = ...) -> None: ...

class SentenceList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[str]] = ...) -> None: ...

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
    __slots__ = ("source", "translation")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TRANSLATION_FIELD_NUMBER: _ClassVar[int]
    source: Sentence
    translation: str
    def __init__(self, source: _Optional[_Union[Sentence, _Mapping]] = ..., translation: _Optional[str] = ...) -> None: ...

class TranslateResponse(_message.Message):
    __slots__ = ("source_language", "target_language", "pairs", "route", "models", "signature")
    SOURCE_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TARGET_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    source_language: str
    target_language: str
    pairs: _containers.RepeatedCompositeFieldContainer[TranslatedSentence]
    route: _containers.RepeatedScalarFieldContainer[str]
    models: _containers.RepeatedScalarFieldContainer[str]
    signature: str
    def __init__(self, source_language: _Optional[str] = ..., target_language: _Optional[str] = ..., pairs: _Optional[_Iterable[_Union[TranslatedSentence, _Mapping]]] = ..., route: _Optional[_Iterable[str]] = ..., models: _Optional[_Iterable[str]] = ..., signature: _Optional[str] = ...) -> None: ...

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
    __slots__ = ("source_language", "target_language", "source_sentences", "target_sentences", "beads", "signature")
    SOURCE_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    TARGET_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SENTENCES_FIELD_NUMBER: _ClassVar[int]
    TARGET_SENTENCES_FIELD_NUMBER: _ClassVar[int]
    BEADS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    source_language: str
    target_language: str
    source_sentences: _containers.RepeatedCompositeFieldContainer[Sentence]
    target_sentences: _containers.RepeatedCompositeFieldContainer[Sentence]
    beads: _containers.RepeatedCompositeFieldContainer[Bead]
    signature: str
    def __init__(self, source_language: _Optional[str] = ..., target_language: _Optional[str] = ..., source_sentences: _Optional[_Iterable[_Union[Sentence, _Mapping]]] = ..., target_sentences: _Optional[_Iterable[_Union[Sentence, _Mapping]]] = ..., beads: _Optional[_Iterable[_Union[Bead, _Mapping]]] = ..., signature: _Optional[str] = ...) -> None: ...

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
    __slots__ = ("languages", "pairs")
    LANGUAGES_FIELD_NUMBER: _ClassVar[int]
    PAIRS_FIELD_NUMBER: _ClassVar[int]
    languages: _containers.RepeatedCompositeFieldContainer[Language]
    pairs: _containers.RepeatedCompositeFieldContainer[LanguagePair]
    def __init__(self, languages: _Optional[_Iterable[_Union[Language, _Mapping]]] = ..., pairs: _Optional[_Iterable[_Union[LanguagePair, _Mapping]]] = ...) -> None: ...
