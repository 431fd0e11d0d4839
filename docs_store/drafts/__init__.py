"""Draft laws read article by article (法规草案): structure, comparison of two versions (修改对照)."""
