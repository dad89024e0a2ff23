"""The translation library: CTranslate2 Marian/NLLB/M2M-100, long inputs, the cache."""

from __future__ import annotations

import dataclasses
import json
import pickle
import shutil
from pathlib import Path

import pytest
from conftest import TINY_M2M, TINY_MARIAN, TINY_NLLB, corpus_pairs

from kreyol_cli.cache import Cache
from kreyol_cli.errors import LanguageError
from kreyol_cli.registry import Registry
from kreyol_cli.segment import iter_units
from kreyol_cli.settings import Settings
from kreyol_cli.translate import (
    TranslateOptions,
    TranslationService,
    Translator,
    cached_translator,
    translate_units,
    translate_with_cache,
)

PAIRS = corpus_pairs()
# Words of the corpus without sentence punctuation: one endless sentence.
CORPUS_WORDS = " ".join(en.rstrip(".?!").lower().replace(",", "") for en, _ in PAIRS)


def resolve(directory: Path, source: str = "en", target: str = "ht"):
    return Registry.load(Settings.load()).resolve_translation(str(directory), source, target)


def multilingual(directory: Path, family: str, tmp_path: Path):
    """A registry-style ResolvedModel for a tiny multilingual fixture serving en/fr -> ht."""
    model = resolve(directory)
    spec = dataclasses.replace(model.spec, name=f"tiny-{family}", family=family,
                               languages=("en-ht", "fr-ht"))
    return dataclasses.replace(model, spec=spec)


def lang_token(family: str, code: str) -> str:
    return f"__{code}__" if family == "m2m100" else code


def fixture_lacks_language_tokens(directory: Path, family: str, codes: list[str]) -> str | None:
    """Why a multilingual fixture cannot translate (it was built without language
    tokens), checked independently of kreyol's code; ``None`` if it can."""
    from transformers import AutoTokenizer

    if not (directory / "model.bin").exists():
        return f"fixture {directory.name} is not built"
    tok = AutoTokenizer.from_pretrained(str(directory))
    vocab = set(json.loads((directory / "shared_vocabulary.json").read_text("utf-8")))
    for code in codes:
        token = lang_token(family, code)
        if tok.convert_tokens_to_ids(token) == tok.unk_token_id or token not in vocab:
            return f"fixture {directory.name} has no language token {token!r}: rebuild it"
    return None


@pytest.fixture(scope="module")
def marian() -> Translator:
    return Translator.load(resolve(TINY_MARIAN), TranslateOptions())


# ------------------------------------------------------------------ Marian --


@pytest.mark.parametrize("beam", [1, 4])
def test_marian_reproduces_the_corpus(beam):
    translator = Translator.load(resolve(TINY_MARIAN), TranslateOptions(beam_size=beam))
    sources = [en for en, _ in PAIRS]
    assert translator.translate(sources) == [ht for _, ht in PAIRS]
    assert translator.history == [len(sources)]  # one engine call for the batch


def test_marian_specials_and_one_output_per_input(marian):
    assert marian.prefix_tokens == []
    assert marian.suffix_tokens == ["</s>"]
    assert marian.target_prefix is None
    assert marian.translate([]) == []
    assert marian.translate(["Good morning.", "Goodbye."]) == ["Bonjou.", "Orevwa."]


def test_resolved_directory_records_its_manifest():
    model = resolve(TINY_MARIAN)
    assert model.spec.family == "marian"
    assert model.revision == "fixture-v1"
    assert model.cache_id == {"model": "tiny-marian-en-ht", "revision": "fixture-v1"}


# ------------------------------------------------------------- long inputs --


def _check_windows_cover(translator: Translator, sentence: str) -> list[list[str]]:
    windows = translator.tokenize(sentence)
    limit = translator.options.max_input_tokens
    pieces = translator.tokenizer.tokenize(sentence)
    body = []
    for w in windows:
        assert w[-1] == "</s>"
        assert len(w) - 1 <= limit
        body += w[:-1]
    assert body == pieces  # every token, in order, exactly once
    return windows


@pytest.mark.parametrize("kind", ["words", "no-spaces"])
def test_a_50k_character_sentence_is_split_not_truncated(marian, kind):
    sentence = ((CORPUS_WORDS + " ") * 100)[:50_000].strip() if kind == "words" else "x" * 50_000
    windows = _check_windows_cover(marian, sentence)
    assert len(windows) > 50
    before = len(marian.history)
    (translation,) = marian.translate([sentence])
    assert marian.history[before:] == [len(windows)]  # every window went to the engine
    # Each window yields some text; a truncating translator would give one window's worth.
    assert len(translation) > 10 * len(windows)


def test_long_sentence_window_limit_is_an_option():
    translator = Translator.load(resolve(TINY_MARIAN), TranslateOptions(max_input_tokens=16))
    sentence = " ".join(en for en, _ in PAIRS[:10]).replace(".", ",")
    windows = _check_windows_cover(translator, sentence)
    assert len(windows) >= 3
    # Cut at clause marks or word starts, never inside a word here.
    assert all(w[0].startswith("▁") for w in windows)


# ------------------------------------------------------------------ cache --


def test_translate_units_streams_in_order_and_serves_repeats_from_cache(tmp_path):
    settings = Settings.load()
    service = TranslationService(resolve(TINY_MARIAN), TranslateOptions(), threads=1)
    cache = Cache(settings)
    lines = [f"{en}\n" for en, _ in PAIRS]
    batches = []
    out = list(translate_units(iter_units(lines), service, cache, batch_sentences=16,
                               on_batch=batches.append))
    assert [r.translation for _, results in out for r in results] == [ht for _, ht in PAIRS]
    assert not any(r.cached for _, results in out for r in results)
    assert sum(batches) == len(PAIRS) and len(batches) == -(-len(PAIRS) // 16)
    calls = len(service.translator.history)
    again = list(translate_units(iter_units(lines), service, cache))
    assert all(r.cached for _, results in again for r in results)
    assert [r.translation for _, rs in again for r in rs] == [ht for _, ht in PAIRS]
    assert len(service.translator.history) == calls  # the engine was not called again
    cache.close()


def test_translate_units_yields_before_reading_everything(tmp_path):
    service = TranslationService(resolve(TINY_MARIAN), TranslateOptions(), threads=1)
    read = []

    def lines():
        for i in range(10_000):
            read.append(i)
            yield f"{PAIRS[i % len(PAIRS)][0]}\n"

    first = next(translate_units(iter_units(lines()), service, Cache(Settings.load()),
                                 batch_sentences=8))
    assert first[1][0].translation == PAIRS[0][1]
    assert len(read) < 20  # bounded by one batch, not the input


def test_cache_key_changes_with_everything_that_changes_the_output():
    model = resolve(TINY_MARIAN)
    base = TranslationService(model, TranslateOptions())
    keys = {
        base.key("Good morning."),
        base.key("Good morning!"),
        TranslationService(model, TranslateOptions(beam_size=2)).key("Good morning."),
        TranslationService(model, TranslateOptions(source="fr")).key("Good morning."),
        TranslationService(model, TranslateOptions(max_input_tokens=64)).key("Good morning."),
        TranslationService(dataclasses.replace(model, revision="other"),
                           TranslateOptions()).key("Good morning."),
    }
    assert len(keys) == 6
    # Batching and threads do not change results: same key.
    assert TranslationService(model, TranslateOptions(max_batch_tokens=7), threads=3
                              ).key("Good morning.") == base.key("Good morning.")


def test_no_cache_translates_every_time():
    service = TranslationService(resolve(TINY_MARIAN), TranslateOptions(), threads=1)
    cache = Cache(Settings.load(), enabled=False)
    for _ in range(2):
        results = translate_with_cache(service, ["Goodbye."], cache)
        assert [(r.translation, r.cached) for r in results] == [("Orevwa.", False)]
    assert not Settings.load().cache_dir.exists()


def test_service_is_picklable_and_loads_the_model_once():
    service = TranslationService(resolve(TINY_MARIAN), TranslateOptions(beam_size=2), threads=1)
    clone = pickle.loads(pickle.dumps(service))
    assert clone == service
    assert clone.translator is service.translator
    assert cached_translator(service.model, service.options, 1) is service.translator


# ------------------------------------------------------ NLLB and M2M-100 --

MULTILINGUAL = [(TINY_NLLB, "nllb", {"en": "eng_Latn", "fr": "fra_Latn", "ht": "hat_Latn"}),
                (TINY_M2M, "m2m100", {"en": "en", "fr": "fr", "ht": "ht"})]
SHORT = TranslateOptions(beam_size=1, max_decoding_length=12)


def with_m2m_language_tokens(tmp_path: Path) -> Path:
    """The tiny M2M-100 fixture; if it was converted without its language tokens,
    a copy whose unused ``madeupword`` slots are renamed to them."""
    if fixture_lacks_language_tokens(TINY_M2M, "m2m100", ["en", "fr", "ht"]) is None:
        return TINY_M2M
    directory = tmp_path / "m2m-patched"
    shutil.copytree(TINY_M2M, directory)
    vocab_file = directory / "shared_vocabulary.json"
    vocab = json.loads(vocab_file.read_text("utf-8"))
    for i, code in enumerate(("en", "fr", "ht")):
        vocab[vocab.index(f"madeupword{i}")] = f"__{code}__"
    vocab_file.write_text(json.dumps(vocab), "utf-8")
    return directory


@pytest.mark.parametrize(("directory", "family", "codes"), MULTILINGUAL,
                         ids=["nllb", "m2m100"])
@pytest.mark.parametrize("source", ["en", "fr"])
def test_multilingual_one_output_per_input_with_language_tokens(directory, family, codes,
                                                                 source, tmp_path):
    if family == "m2m100":
        directory = with_m2m_language_tokens(tmp_path)
    reason = fixture_lacks_language_tokens(directory, family, list(codes.values()))
    if reason:
        pytest.skip(reason)
    model = multilingual(directory, family, tmp_path)
    translator = Translator.load(model, dataclasses.replace(SHORT, source=source))
    assert translator.prefix_tokens == [lang_token(family, codes[source])]
    assert translator.suffix_tokens == ["</s>"]
    assert translator.target_prefix == [lang_token(family, codes["ht"])]
    (window,) = translator.tokenize("Good morning.")
    assert window[0] == lang_token(family, codes[source]) and window[-1] == "</s>"
    out = translator.translate(["Good morning.", "How are you?", "x" * 3000])
    assert len(out) == 3 and all(isinstance(t, str) for t in out)
    # The language token steering the output is not part of the text.
    assert not any(t.startswith(lang_token(family, codes["ht"])) for t in out)
    assert translator.history == [2 + len(translator.tokenize("x" * 3000))]


@pytest.mark.parametrize(("directory", "family", "codes"), MULTILINGUAL,
                         ids=["nllb", "m2m100"])
def test_multilingual_unknown_language_is_a_language_error(directory, family, codes, tmp_path):
    model = multilingual(directory, family, tmp_path)
    with pytest.raises(LanguageError, match="no language code for 'de'"):
        Translator.load(model, dataclasses.replace(SHORT, source="de"))
    bad_codes = {**codes, "ht": "zz" if family == "m2m100" else "zzz_Zzzz"}
    bad = dataclasses.replace(model, spec=dataclasses.replace(model.spec, lang_codes=bad_codes))
    with pytest.raises(LanguageError, match="does not know language"):
        Translator.load(bad, SHORT)


def test_a_model_whose_vocabulary_lacks_the_target_token_is_refused(tmp_path):
    """Translating with a language token the model cannot emit gives garbage: refuse."""
    directory = tmp_path / "m2m"
    shutil.copytree(TINY_M2M, directory)
    vocab_file = directory / "shared_vocabulary.json"
    vocab = json.loads(vocab_file.read_text("utf-8"))
    vocab = ["madeupword99" if token == "__ht__" else token for token in vocab]
    for token in ("__en__", "__fr__"):  # the source token is fine; only the target is missing
        if token not in vocab:
            vocab[vocab.index(next(t for t in vocab if t.startswith("madeupword")))] = token
    vocab_file.write_text(json.dumps(vocab), "utf-8")
    model = multilingual(directory, "m2m100", tmp_path)
    with pytest.raises(LanguageError, match="__ht__"):
        Translator.load(model, SHORT)
