"""Synthetic emotional-speech corpora (eSpeak NG speech in real corpus layouts): the offline default data.

Entry points: ``generate.generate_corpus`` (one corpus) and ``generate.ensure_synthetic_corpora`` (all missing ones).
"""
