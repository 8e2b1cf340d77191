"""The parse-based simplifier on real spaCy parses: long source sentences become short whole ones, made only
of the source's words (one verb made finite), and a sentence the rules cannot cut safely is left as it is."""

from __future__ import annotations

import re

import pytest

from shared.lesson.glossary import Glossary
from shared.lesson.syntax import ParseSimplifier

SIMPLIFIER = ParseSimplifier()


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "The Nile, which flows north through eleven countries, is the longest river in Africa.",
            ["The Nile is the longest river in Africa.", "The Nile flows north through eleven countries."],
        ),
        (
            "The heart pumps blood through the blood vessels of the circulatory system and keeps the body alive.",
            [
                "The heart pumps blood through the blood vessels of the circulatory system.",
                "The heart keeps the body alive.",
            ],
        ),
        (
            "It has 44 million native speakers, and it is a second language for 15 million speakers in Karnataka.",
            [
                "It has 44 million native speakers.",
                "It is a second language for 15 million speakers in Karnataka.",
            ],
        ),
        (
            "Tides are the periodic rise and fall of sea level resulting from the gravitational forces of the Moon and the Sun.",
            [
                "Tides are the periodic rise and fall of sea level.",
                "Tides result from the gravitational forces of the Moon and the Sun.",
            ],
        ),
        (
            "Timbuktu is the capital of the Tombouctou Region, having a population of around one million people.",
            [
                "Timbuktu is the capital of the Tombouctou Region.",
                "Timbuktu has a population of around one million people.",
            ],
        ),
        (
            # A passive participle keeps the source's copula; the examples after "including" go with it.
            "A hat is a head covering worn for various reasons, including protection against the weather and the sun.",
            ["A hat is a head covering.", "A hat is worn for various reasons."],
        ),
        (
            "The Amazon River is the largest river by discharge volume of water in the world, and the longest "
            "river system in the world.",
            [
                "The Amazon River is the largest river by discharge volume of water in the world.",
                "The Amazon River is the longest river system in the world.",
            ],
        ),
        (
            "A sonnet is a fixed poetic form with a structure traditionally consisting of fourteen lines.",
            [
                "A sonnet is a fixed poetic form with a structure.",
                "A sonnet traditionally consists of fourteen lines.",
            ],
        ),
        (
            # The list of reasons is what the sentence says (and what "why is exercise good…" asks): it stays.
            "It is performed for various reasons, including weight loss, to aid growth and improve strength.",
            [
                "It is performed for various reasons, including weight loss, to aid growth and improve strength."
            ],
        ),
        (
            "Tides are found in many places on Earth, including bays, estuaries, harbours and large lakes.",
            ["Tides are found in many places on Earth."],
        ),
        (
            "The largest ocean liner in service at the time, Titanic was four days into her maiden voyage to New York.",
            ["Titanic was four days into her maiden voyage to New York."],
        ),
        (
            "A desert is a landscape where little precipitation occurs and living conditions are harsh for life.",
            [
                "A desert is a landscape.",
                "In a desert, little precipitation occurs.",
                "Living conditions are harsh for life.",
            ],
        ),
    ],
)
def test_a_long_sentence_becomes_short_whole_ones(sentence: str, expected: list[str]):
    assert SIMPLIFIER.simplify(sentence, 12) == expected


def test_the_pieces_say_only_the_source_words_with_one_verb_made_finite():
    sentence = (
        "Tides are the periodic rise and fall of sea level resulting from the gravitational forces of the "
        "Moon and the Sun."
    )
    pieces = SIMPLIFIER.simplify(sentence, 12)
    assert words(" ".join(pieces)) - words(sentence) == {"result"}


@pytest.mark.parametrize(
    "sentence",
    [
        # The parse takes the aside for the main verb: cutting there would leave a fragment.
        "An opinion poll, often simply referred to as a survey or a poll, is a human research survey of public opinion.",
        # The participle's phrase goes on after its comma ("…, and a fluttering flight"): dropping it would
        # leave "insects … and a conspicuous, fluttering flight".
        "Butterflies are winged insects from the lepidopteran superfamily Papilionoidea, characterised by large, "
        "often brightly coloured wings that often fold together when at rest, and a conspicuous, fluttering flight.",
        # Two nouns joined inside one phrase, not two predicates: "A rhyme is any following syllables…" would
        # be a claim the source never made.
        "A rhyme is a repetition of similar sounds in the final stressed syllables and any following syllables "
        "of two or more words.",
        # Restrictive: the clause says which ship; without it the sentence would say something else.
        "The ship that struck an iceberg in the North Atlantic in April 1912 was the largest ocean liner of its day.",
    ],
)
def test_what_cannot_be_cut_safely_stays_whole(sentence: str):
    assert SIMPLIFIER.simplify(sentence, 12) == [sentence]


def test_a_sentence_within_the_limit_is_not_parsed():
    short = "The Moon orbits the Earth."
    assert SIMPLIFIER.simplify(short, 12) == [short]


def test_a_participle_before_the_subject_becomes_its_own_sentence_in_the_same_tense():
    sentence = (
        "Beginning in Great Britain around 1760, the Industrial Revolution had spread to continental Europe "
        "and the United States by about 1840."
    )
    assert SIMPLIFIER.simplify(sentence, 12) == [
        "The Industrial Revolution began in Great Britain around 1760.",
        "The Industrial Revolution had spread to continental Europe and the United States by about 1840.",
    ]


def test_a_list_is_never_cut_short():
    # "the Moon, the Sun and the rotation of the Earth" looks like an appositive to the parse: all three stay.
    sentence = "Tides are the rise and fall of sea level resulting from the pull of the Moon, the Sun and the rotation of the Earth."
    assert "rotation of the Earth" in " ".join(SIMPLIFIER.simplify(sentence, 12))


def test_an_aside_after_the_participle_goes_with_it():
    sentence = (
        "Tides are the periodic rise and fall of sea level resulting from the differential gravitational forces "
        "exerted primarily by the Moon and the Sun, combined with effects associated with the Earth, Moon "
        "system's orbital motion and the Earth's rotation."
    )
    assert SIMPLIFIER.simplify(sentence, 12) == [
        "Tides are the periodic rise and fall of sea level.",
        "Tides result from the differential gravitational forces exerted primarily by the Moon and the Sun.",
    ]


def test_a_clause_on_the_predicate_noun_is_said_of_the_subject():
    # "which" names the interaction gravity is: a second sentence about every fundamental interaction would
    # be a claim the source never made.
    sentence = (
        "Gravity is a fundamental interaction, which may be described as the force that draws material "
        "objects towards each other."
    )
    assert SIMPLIFIER.simplify(sentence, 12) == [
        "Gravity is a fundamental interaction.",
        "Gravity may be described as the force that draws material objects towards each other.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        # The parser reads "found" as a second clause's past tense; nothing joins the two clauses, so no cut
        # ("Rainforests with high rainfall typically found between …" is not a sentence).
        "Tropical rainforests are dense and warm rainforests with high rainfall typically found between 10° "
        "north and south of the Equator.",
        # A relative clause cut loose would start "Which are sometimes called …".
        "This includes much of the polar regions, where little precipitation occurs, and which are sometimes "
        'called polar deserts or "cold deserts".',
    ],
)
def test_no_piece_is_a_fragment(sentence: str):
    for piece in SIMPLIFIER.simplify(sentence, 12):
        assert not piece.lower().startswith(("which", "where", "who")), piece
        assert "typically found" not in piece or piece.startswith("Tropical rainforests are"), piece


@pytest.mark.parametrize(
    ("sentence", "compressed"),
    [
        # Hard adjectives before a noun go, one at a time, until the sentence reads at the grade.
        (
            "A continent is any of several large terrestrial geographical regions.",
            "A continent is any of several large regions.",
        ),
        # A frame before the subject goes.
        (
            "In modern historiography, the Western Roman Empire was the Roman Empire's western provinces.",
            "The Western Roman Empire was the Roman Empire's western provinces.",
        ),
        # A detail phrase on a noun goes when it is all jargon ...
        (
            "Butterflies are small flying insects from the superfamily Papilionoidea.",
            "Butterflies are small flying insects.",
        ),
    ],
)
def test_a_hard_sentence_is_compressed_to_its_core(sentence: str, compressed: str):
    result = SIMPLIFIER.compress(sentence, 6, set())
    assert result == compressed
    assert words(result) <= words(sentence)  # only the source's words, fewer of them


@pytest.mark.parametrize(
    "sentence",
    [
        # ... not when a common word in it carries what is taught.
        "Light is split into a spectrum in water droplets.",
        # One word of a name ("cardiovascular system") is not an adjective to drop.
        "Exercise develops the cardiovascular system.",
        # A date is a fact, not a frame.
        "In 1912, the ship sank in the cold and stormy Atlantic.",
        # Without "in France" the superlative would be false: a singled-out noun keeps its phrase.
        "Paris is the largest metropolitan city in northern France.",
        # A list of adjectives would lose its shape ("large, wings").
        "Butterflies have large, often brightly coloured wings that fold together when at rest.",
    ],
)
def test_compression_keeps_what_the_claim_needs(sentence: str):
    result = SIMPLIFIER.compress(sentence, 2, set(), Glossary().is_term)
    assert "in water droplets" in result or "droplets" not in sentence
    assert "cardiovascular" in result or "Exercise" not in sentence
    assert "in northern France" in result or "Paris" not in sentence
    assert "In 1912" in result or "1912" not in sentence
    assert "large, often brightly coloured wings" in result or "Butterflies" not in sentence


def test_compression_never_drops_a_lesson_term():
    sentence = "A continent is any of several large terrestrial geographical regions."
    assert SIMPLIFIER.compress(sentence, 2, {"terrestrial", "geographical"}) == sentence
