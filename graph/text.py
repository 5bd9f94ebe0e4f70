"""Text normalisation for lexical matching, shared by every backend so their answers agree.

:func:`terms` turns a label or a sentence into normalised tokens: lower case, accents folded,
stop words dropped, and a light suffix stemmer so that "programming", "programs" and "program"
meet. It is deliberately conservative: over-stemming merges unrelated ESCO skills.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["STOP_WORDS", "normalise", "stem", "terms"]

# Keep "c++", "c#", ".net"-like tokens whole: they are real ESCO skill labels.
_TOKEN = re.compile(r"[a-z0-9]+(?:[+#]+|\.[a-z0-9]+)*")

#: English and French function words plus the verbs that open most ESCO skill labels and
#: learning outcomes without saying what the skill is about.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "can",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "other",
        "such",
        "that",
        "the",
        "their",
        "them",
        "these",
        "this",
        "those",
        "to",
        "use",
        "used",
        "using",
        "via",
        "was",
        "were",
        "which",
        "with",
        "within",
        "without",
        "able",
        "will",
        "shall",
        "should",
        "must",
        "may",
        "also",
        "etc",
        "e",
        "g",
        "ie",
        "eg",
        "i",
        "ii",
        "iii",
        "iv",
        "you",
        "your",
        "we",
        "our",
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "d",
        "l",
        "et",
        "ou",
        "en",
        "au",
        "aux",
        "pour",
        "par",
        "sur",
        "dans",
        "avec",
        "sans",
        "ce",
        "ces",
        "son",
        "sa",
        "ses",
        "leur",
        "leurs",
        "qui",
        "que",
        "est",
        "sont",
    ]
)

_SUFFIXES = (
    ("yses", "ys"),
    ("ysis", "ys"),
    ("ational", "ate"),
    ("ization", "ize"),
    ("isation", "ize"),
    ("ations", "ate"),
    ("ation", "ate"),
    ("ising", "ize"),
    ("izing", "ize"),
    ("ises", "ize"),
    ("izes", "ize"),
    ("ised", "ize"),
    ("ized", "ize"),
    ("ise", "ize"),
    ("ments", "ment"),
    ("ingly", ""),
    ("ing", ""),
    ("edly", ""),
    ("ied", "y"),
    ("ies", "y"),
    ("ed", ""),
    ("es", "e"),
    ("s", ""),
)


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """Return a light stem of ``token`` (already lower-case and accent-free).

    Examples
    --------
    >>> [stem(t) for t in ["programming", "programs", "analysed", "analysing", "skills"]]
    ['program', 'program', 'analys', 'analys', 'skill']
    """
    if len(token) <= 3 or not token.isalpha():
        return token
    for suffix, replacement in _SUFFIXES:
        if token.endswith(suffix):
            base = token[: len(token) - len(suffix)] + replacement
            # Keep at least three letters; "ss" and "us"/"is" endings are not plurals.
            if len(base) < 3 or (suffix == "s" and token[-2] in "suiy"):
                continue
            if suffix in {"ing", "ed", "ingly", "edly"}:
                if not any(ch in "aeiouy" for ch in base):
                    continue
                # "programming" -> "programm" -> "program"; "analysed" -> "analys"
                if (
                    len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz"
                ) or base.endswith("e"):
                    base = base[:-1]
            token = base
            break
    # A final silent "e" goes too, so that "analyse", "analysed" and "analysing" meet.
    return token.removesuffix("e") if len(token) > 4 else token


def normalise(text: str) -> str:
    """Lower-case ``text`` and fold accents (``"Gérer"`` -> ``"gerer"``).

    Examples
    --------
    >>> normalise("Gérer l'ÉQUIPE")
    "gerer l'equipe"
    """
    folded = text.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=131_072)
def terms(text: str) -> tuple[str, ...]:
    """Return the normalised, stemmed, stop-word-free tokens of ``text``, in order, unique.

    Cached: search re-reads the terms of the same candidate labels query after query.

    Examples
    --------
    >>> terms("Python (computer programming)")
    ('python', 'computer', 'program')
    >>> terms("develop and maintain C++ programs")
    ('develop', 'maintain', 'c++', 'program')
    """
    found: list[str] = []
    for token in _TOKEN.findall(normalise(text)):
        if token not in STOP_WORDS:
            term = stem(token)
            # Labels are short: a list scan beats building a dict per text.
            if term not in found:
                found.append(term)
    return tuple(found)
