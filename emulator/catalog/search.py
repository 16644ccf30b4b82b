"""Loose, ranked search over names, as the live API searched its catalog.

Netflix answered a one-word term with hundreds or thousands of titles, best first. Here every
word of the term is looked up in an inverted index of name words (whole words, and words it
begins, at half weight), and a name matches when any word does. Ranking, best first:

1. the whole name equals the term (an alias counts: "mar adentro" finds The Sea Inside);
2. the name begins with the term, word for word;
3. every word of the term is a whole word of the name;
4. every word of the term begins a word of the name;
5. some words match.

Within a tier, rarer words weigh more (inverse document frequency), then names with fewer
unmatched words come first, then alphabetical order. The index is built once, on first use,
and the last answers are kept, so paging through one term costs a slice.
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Generic, TypeVar

T = TypeVar("T")
_WORD_RE = re.compile(r"\w+")
_APOSTROPHES_RE = re.compile("['\u2019]")
_SPACE_RE = re.compile(r"\s+")
_PREFIX_WEIGHT = 0.5
_CACHED_TERMS = 256


def normalize_term(term: str) -> str:
    """Case-folded, whitespace-collapsed search text."""
    return _SPACE_RE.sub(" ", term).strip().casefold()


def words(text: str) -> list[str]:
    """The case-folded words of a text: letters and digits; apostrophes join ("Ada's" is
    one word, `adas`), other punctuation splits."""
    return _WORD_RE.findall(_APOSTROPHES_RE.sub("", text.casefold()))


class SearchIndex(Generic[T]):
    """An inverted index of the words of each item's names, with a ranked lookup."""

    def __init__(self, items: Sequence[T], names: Callable[[T], Iterable[str]]) -> None:
        self._items = items
        postings: dict[str, list[int]] = {}
        self._name_words: list[list[tuple[str, ...]]] = []
        for position, item in enumerate(items):
            forms = [tuple(words(name)) for name in names(item)]
            self._name_words.append(forms)
            for word in {w for form in forms for w in form}:
                postings.setdefault(word, []).append(position)
        self._postings = postings
        self._vocabulary = sorted(postings)
        total = max(1, len(items))
        self._idf = {w: math.log(1 + total / len(p)) for w, p in postings.items()}
        # Shortest name in words, to rank names with fewer unmatched words first.
        self._length = [min((len(f) for f in forms), default=0) for forms in self._name_words]
        # Every name as its words joined by one space, sorted: phrase lookups by bisection.
        self._phrases = sorted(
            {(" ".join(f), p) for p, forms in enumerate(self._name_words) for f in forms}
        )
        # For one-word terms, the common case: who starts with a word, ordered by length.
        by_length = sorted(range(len(items)), key=lambda p: (self._length[p], p))
        self._order = [0] * len(items)
        for rank, position in enumerate(by_length):
            self._order[position] = rank
        self._first: dict[str, list[int]] = {}
        for position in by_length:
            for first in dict.fromkeys(form[0] for form in self._name_words[position] if form):
                self._first.setdefault(first, []).append(position)
        self._cache: OrderedDict[str, list[T]] = OrderedDict()
        self._lock = threading.Lock()

    def search(self, term: str) -> list[T]:
        """Items matching any word of the term, best first (see the module docstring)."""
        needle = tuple(words(normalize_term(term)))
        if not needle:
            return []
        key = " ".join(needle)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        found = self._rank(needle)
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > _CACHED_TERMS:
                self._cache.popitem(last=False)
        return found

    def _rank(self, needle: tuple[str, ...]) -> list[T]:
        if len(needle) == 1:
            return [self._items[p] for p in self._rank_word(needle[0])]
        return [self._items[p] for p in self._rank_words(needle)]

    def _rank_words(self, needle: tuple[str, ...]) -> list[int]:
        """Score every hit of every word, then sort by (tier, score, unmatched words)."""
        score: dict[int, float] = {}
        whole: dict[int, int] = {}
        begun: dict[int, int] = {}
        distinct = tuple(dict.fromkeys(needle))
        for word in distinct:
            seen: set[int] = set()
            for candidate in self._words_beginning(word):
                postings = self._postings[candidate]
                if candidate == word:
                    weight = self._idf[candidate]
                    for position in postings:
                        score[position] = score.get(position, 0.0) + weight
                        whole[position] = whole.get(position, 0) + 1
                    seen.update(postings)
                    continue
                weight = self._idf[candidate] * _PREFIX_WEIGHT
                for position in postings:
                    if position not in seen:
                        seen.add(position)
                        score[position] = score.get(position, 0.0) + weight
            for position in seen:
                begun[position] = begun.get(position, 0) + 1
        leading = self._leading(" ".join(needle))
        count, length = len(distinct), self._length
        keys = [
            (
                leading.get(p, 2 if whole.get(p) == count else 3 if begun[p] == count else 4),
                -s,
                length[p] - begun[p],
                p,
            )
            for p, s in score.items()
        ]
        keys.sort()
        return [k[3] for k in keys]

    def _rank_word(self, word: str) -> list[int]:
        """`_rank` for a one-word term, without scoring every hit one by one.

        Every whole-word hit has the same score, so tiers 0-2 keep the (length, position)
        order; only the hits by prefix alone need sorting. The order equals `_rank`'s.
        """
        exact = self._postings.get(word, [])
        named = self._first.get(word, [])
        tier0 = [p for p in named if (word,) in self._name_words[p]]
        leading, whole_names = set(named), set(tier0)
        tier1 = [p for p in named if p not in whole_names]
        tier2 = sorted((p for p in exact if p not in leading), key=self._order.__getitem__)
        hit = set(exact)
        by_weight: dict[float, list[int]] = {}
        for candidate in self._words_beginning(word):
            if candidate == word:
                continue
            group = by_weight.setdefault(self._idf[candidate] * _PREFIX_WEIGHT, [])
            for position in self._postings[candidate]:
                if position not in hit:
                    hit.add(position)
                    group.append(position)
        tier3 = [
            p
            for weight in sorted(by_weight, reverse=True)
            for p in sorted(by_weight[weight], key=self._order.__getitem__)
        ]
        return [*tier0, *tier1, *tier2, *tier3]

    def _leading(self, phrase: str) -> dict[int, int]:
        """Positions whose name is the phrase (0) or begins with it, word for word (1)."""
        found: dict[int, int] = {}
        start = bisect_left(self._phrases, (phrase, -1))
        for name, position in islice(self._phrases, start, None):
            if name == phrase:
                found[position] = 0
            elif name.startswith(phrase + " "):
                found.setdefault(position, 1)
            else:
                break
        return found

    def _words_beginning(self, word: str) -> list[str]:
        """Indexed words equal to or beginning with `word` (the equal one first)."""
        start = bisect_left(self._vocabulary, word)
        found: list[str] = []
        for candidate in islice(self._vocabulary, start, None):
            if not candidate.startswith(word):
                break
            found.append(candidate)
        return found
