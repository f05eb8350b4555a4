"""Every letter a ticket may start with is read as its letter, in both voices: espeak-ng's own
phonemes (`espeak-ng -x` / `--ipa`, the announcer's voices and text) against the letter's name.

The Chinese voice read E as yì (E001 was heard as 一零零一), G as zhì and R as ér (二); the text
it is given now spells each letter's English name in its phonemes. A letter the voice could not
be made to read would have to leave `config.schema.TICKET_LETTERS`, which the config refuses.
"""
from __future__ import annotations

import re
import subprocess

import pytest

from config.schema import TICKET_LETTERS, validate
from display.voice.clips import pcm_seconds, read_pcm, trim
from display.voice.synth import DEFAULT_RATE, LETTER_NAMES, VOICES, Synthesizer, espeak_text
from display.voice.words import LETTERS, fixed_tokens

# Each letter's English name, as a dictionary writes it (American, as the en-US voice speaks).
NAMES = {
    "A": "eɪ", "B": "biː", "C": "siː", "D": "diː", "E": "iː", "F": "ɛf", "G": "dʒiː", "H": "eɪtʃ", "I": "aɪ",
    "J": "dʒeɪ", "K": "keɪ", "L": "ɛl", "M": "ɛm", "N": "ɛn", "O": "oʊ", "P": "piː", "Q": "kjuː", "R": "ɑːɹ",
    "S": "ɛs", "T": "tiː", "U": "juː", "V": "viː", "W": "dʌbəljuː", "X": "ɛks", "Y": "waɪ", "Z": "ziː",
}
# The same sounds as the Chinese voice's phoneme table writes them: it has no eɪ, aɪ, oʊ, ɹ or ʌ, and
# marks aspiration, which English p, t, k have without a dictionary writing it.
SAME_SOUND = (("eɪ", "ei"), ("aɪ", "ai"), ("oʊ", "ou"), ("ɹ", "r"), ("ʌ", "a"), ("ph", "p"), ("th", "t"), ("kh", "k"))


def espeak(text: str, lang: str, flag: str) -> str:
    """What espeak-ng makes of the text the announcer gives it, in the announcer's voice."""
    return subprocess.run(["espeak-ng", "-q", flag, "-v", VOICES[lang], espeak_text(text, lang)],
                          capture_output=True, text=True, check=True).stdout.strip()


def sounds(ipa: str) -> str:
    """The phonemes without stress, tone numbers or word gaps, written alike for both voices."""
    ipa = re.sub(r"[ˈˌ\d\s_]", "", ipa)
    for theirs, ours in SAME_SOUND:
        ipa = ipa.replace(theirs, ours)
    return ipa


def syllables(mnemonics: str) -> str:
    """espeak's phoneme mnemonics (-x) without stress, tones or pauses: a Chinese syllable's sounds."""
    return re.sub(r"[',\d\s_|]", "", mnemonics)


def test_the_voice_and_the_config_know_the_same_letters():
    assert set(LETTERS) == set(TICKET_LETTERS) == set(LETTER_NAMES) == set(NAMES)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("letter", sorted(NAMES))
def test_every_letter_is_read_by_its_name(letter, lang):
    assert sounds(espeak(letter, lang, "--ipa")) == sounds(NAMES[letter])


@pytest.fixture(scope="module")
def chinese_words() -> dict[str, str]:
    """The sounds of every other word of a Chinese call: digits, 十, 百, 请 … 办理."""
    return {word: syllables(espeak(word, "zh", "-x")) for word in fixed_tokens("zh") if word not in TICKET_LETTERS}


@pytest.mark.parametrize("letter", sorted(NAMES))
def test_no_letter_sounds_like_a_chinese_word_of_a_call(letter, chinese_words):
    """E is not 一 (yī), R is not 二 (èr): no letter's sounds are those of a digit or word it is said among."""
    said = syllables(espeak(letter, "zh", "-x"))
    assert said not in chinese_words.values(), [w for w, sounds in chinese_words.items() if sounds == said]


@pytest.fixture(scope="module")
def synth():
    return Synthesizer()


@pytest.mark.parametrize("letter", sorted(NAMES))
def test_the_announcer_says_the_spelled_letter(letter, synth, tmp_path):
    """The clip the announcer makes (pyttsx3) is espeak-ng's reading of the spelling — not the
    brackets and letters of the spelling read out, which take five times as long."""
    clip = trim(read_pcm(synth.to_file(letter, "zh", tmp_path / "clip.wav")))
    cli = tmp_path / "cli.wav"
    subprocess.run(["espeak-ng", "-s", str(DEFAULT_RATE), "-v", VOICES["zh"], "-w", str(cli),
                    espeak_text(letter, "zh")], check=True)
    assert pcm_seconds(clip) == pytest.approx(pcm_seconds(trim(read_pcm(cli))), rel=0.1)


@pytest.mark.parametrize("prefix", ["e", "AA", "1", "É", "甲", ""])
def test_a_prefix_the_voice_cannot_read_is_refused_naming_the_category(demo_raw, prefix):
    raw = {**demo_raw, "categories": {**demo_raw["categories"],
                                      "tax": {**demo_raw["categories"]["tax"], "prefix": prefix}}}
    with pytest.raises(ValueError) as refused:
        validate(raw)
    assert refused.value.key == "categories.tax.prefix"
    assert "ticket letter of category 税务 (Taxation)" in refused.value.message and "A-Z" in refused.value.message
