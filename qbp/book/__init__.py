"""The book wing of qbp: build, command line, reproducibility page and claims scoreboard.

The science modules (``qbp.circuit`` … ``qbp.plots``) never import from here; this wing
reads what they compute (results files) and turns the chapters into a book.
"""
