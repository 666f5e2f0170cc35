"""Build-time tools that make the shipped data once (users never run these).

``python -m lessonkit data build`` parses the music21 folk corpus; ``python -m lessonkit
data build-instruments`` renders the instrument notes with FluidSynth.
"""
