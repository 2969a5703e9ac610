"""The Chinese language: normalisation, numerals, time words, a jieba lexicon, questions and write commands
parsed into symbolic intents.

Pure: text in, meaning out; no clock, no database. What belongs to a plan (its names and keywords) comes in
as data through the lexicon. Imports none of our other packages.
"""
