"""Moved to :mod:`lessonkit.manifest` (reading and verifying shipped files is runtime code).

These names are kept so that older builder scripts still import; new code imports
``lessonkit.manifest``.
"""

from ..manifest import DATA_DIR, MANIFEST_NAME, REBUILD_HINT, main, read_manifest, sha256_of, update_manifest, verify_manifest

__all__ = ["DATA_DIR", "MANIFEST_NAME", "REBUILD_HINT", "main", "read_manifest", "sha256_of", "update_manifest",
           "verify_manifest"]
