"""Backup and restore of a whole Yiting installation (``manage.py backup`` / ``restore``).

The committee's record must outlive the machine it runs on: votes and their audit
chain, speeches and their clips, documents, briefs and books. A backup is a plain
folder (copy it anywhere: a USB disk, another building) that holds one consistent
database snapshot, every file, and a manifest of checksums; a restore checks all of
them before it writes anything. Modules: ``database`` (the snapshot and its
restore), ``files`` (what is copied and where it goes), ``manifest`` (the checksums),
``run`` (the order of the steps), ``errors`` (the refusals).
"""
