"""Guide step 1, preprocessing:
decoding images, choosing datasets, the guide's .bin / info / dump-dir file contracts.
"""
