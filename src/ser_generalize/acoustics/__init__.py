"""Blind acoustic profile estimators (DNSMOS, T60/C50, WADA-SNR, loudness, bandwidth, F0) and corpus distances."""
