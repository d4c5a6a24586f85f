"""Guide step 4, inference:
runners that run what they are given (after Polygraphy's runners), and building one by name.
"""
