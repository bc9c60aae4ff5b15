"""A reader's query string made safe to search with: words, phrases, nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Readers type up to a sentence; anything longer is cut here rather than refused, so that a
# pasted paragraph still finds something.
MAX_QUERY_CHARS = 200
MAX_TERMS = 12

WORD_RE = re.compile(r"\w+", re.UNICODE)
PHRASE_RE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class ParsedQuery:
    """Lower-cased word tokens (never operators: FTS5 treats upper-case AND/OR/NOT/NEAR as
    syntax, and a lone quote or asterisk as a syntax error) and quoted phrases."""

    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def all_words(self) -> tuple[str, ...]:
        return self.words + tuple(word for phrase in self.phrases for word in phrase)


def clean(raw: str) -> str:
    """The query as the reader sees it echoed back: no NUL or control characters, trimmed."""
    text = "".join(ch for ch in raw if ch.isprintable() or ch == " ")
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def parse(raw: str) -> ParsedQuery:
    text = clean(raw)
    phrases = []
    for match in PHRASE_RE.finditer(text):
        tokens = tuple(word.lower() for word in WORD_RE.findall(match.group(1)))
        if len(tokens) > 1:
            phrases.append(tokens)
        elif tokens:
            text += f" {tokens[0]}"  # a quoted single word is just a word
    rest = PHRASE_RE.sub(" ", text)
    words: list[str] = []
    for word in WORD_RE.findall(rest):
        word = word.lower()
        if word not in words:
            words.append(word)
    budget = MAX_TERMS
    phrases = [phrase[:budget] for phrase in phrases][:3]
    budget -= sum(len(phrase) for phrase in phrases)
    return ParsedQuery(words=tuple(words[: max(budget, 0)]), phrases=tuple(phrases))


def fts5_expression(query: ParsedQuery) -> str:
    """An FTS5 MATCH expression over the title and body columns: every word and every phrase
    must occur. Tokens are \\w+ only, so quoting them is enough to make them literal."""
    parts = [f'"{word}"' for word in query.words]
    parts += ['"' + " ".join(phrase) + '"' for phrase in query.phrases]
    return "{title body}: (" + " AND ".join(parts) + ")"


def tsquery_parts(query: ParsedQuery) -> list[tuple[str, str]]:
    """(function, text) pairs for PostgreSQL: plainto_tsquery for the words,
    phraseto_tsquery for each phrase; both ignore operators in their input."""
    parts = [("plainto_tsquery", " ".join(query.words))] if query.words else []
    parts += [("phraseto_tsquery", " ".join(phrase)) for phrase in query.phrases]
    return parts
