"""kreyol: English and French documents to Haitian Creole text and speech, offline.

The public names are re-exported here lazily (PEP 562), so importing the
package, as the CLI does at start-up, loads none of the heavy libraries.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Translator": "kreyol_cli.translate",
    "TranslateOptions": "kreyol_cli.translate",
    "TranslationService": "kreyol_cli.translate",
    "VoiceService": "kreyol_cli.synthesize",
    "SynthesisOptions": "kreyol_cli.synthesize",
    "AudioPart": "kreyol_cli.synthesize",
    "AudiobookRequest": "kreyol_cli.pipeline",
    "run_audiobook": "kreyol_cli.pipeline",
    "iter_document": "kreyol_cli.extract",
    "extract_document": "kreyol_cli.extract",
    "Cache": "kreyol_cli.cache",
    "Registry": "kreyol_cli.registry",
    "Settings": "kreyol_cli.settings",
    "ExitCode": "kreyol_cli.errors",
    "KreyolError": "kreyol_cli.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kreyol_cli' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
