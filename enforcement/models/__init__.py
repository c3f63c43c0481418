"""Enforcement models by topic: cases (案件, penalties, measures), documents (执法文书), tips (举报).

Each topic module adds its own import line here."""

from .cases import Case, CaseEvent, CaseExtension, LegalArticle, Measure, Penalty  # noqa: F401
from .documents import Document, DocumentKind, DocumentPdf  # noqa: F401
from .tips import Tip  # noqa: F401
