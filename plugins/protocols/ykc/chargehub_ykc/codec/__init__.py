"""The pure YKC codec: frames (:mod:`.frame`), field encodings (:mod:`.fields`), messages
(:mod:`.messages`: ``decode`` / ``encode``) and code tables in words (:mod:`.codes`).

No state beyond :class:`~chargehub_ykc.codec.frame.FrameReader`'s input buffer, no IO.
"""
