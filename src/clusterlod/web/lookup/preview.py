"""The preview of a candidate (Reconciliation API 0.2): its labels, type, and the source's exact words.

OpenRefine shows it in a small frame beside the candidate, so it is one short HTML document with
its style inline, allowed in any frame (web/app.py sends it with its own Content-Security-Policy).
"""

from __future__ import annotations

from html import escape

from clusterlod.web.lookup.index import Entry, Index

#: Sent with the preview instead of the pages' policy: no script, no fetch, but any site may frame it.
PREVIEW_POLICY = (b"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *; base-uri 'none'; "
                  b"form-action 'none'")
WORDS = {
    "ja": {"type": "種類", "quote": "出典の原文", "line": "行", "editorial": "編集上の追加（原文にない）",
           "page": "ページを開く", "none": "原文の引用はありません"},
    "en": {"type": "Type", "quote": "The source's words", "line": "line",
           "editorial": "editorial addition (not in the source)", "page": "open the page",
           "none": "no quote from the source"},
}


def preview(index: Index, entry: Entry, lang: str, page_href: str) -> bytes:
    words = WORDS[lang]
    types = ", ".join(escape(index.terms[t].label(lang)) for t in entry.types if t in index.terms)
    labels = "".join(f'<p class="label" lang="{code}">{escape(entry.labels[code])}</p>'
                     for code in (lang, "en" if lang == "ja" else "ja") if entry.labels.get(code))
    alt = ", ".join(escape(text) for text, _ in entry.alt)
    quotes = "".join(
        f'<blockquote lang="ja">{escape(q.text)}</blockquote>'
        + (f'<p class="where">{words["line"]} {q.line}</p>' if q.line else "")
        for q in entry.quotes[:3]) or f'<p class="where">{words["none"]}</p>'
    origin = f'<p class="where">{words["editorial"]}</p>' if entry.origin == "editorial" else ""
    body = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(entry.label(lang))}</title>'
            '<style>body{font:13px/1.4 sans-serif;margin:6px;color:#222}.label{margin:0;font-weight:bold}'
            '.label+.label{font-weight:normal}.where{margin:0;color:#666;font-size:11px}'
            'blockquote{margin:4px 0;padding:2px 6px;border-left:3px solid #7a9;white-space:pre-wrap}</style>'
            f'</head><body>{labels}'
            + (f'<p class="where">{alt}</p>' if alt else "")
            + f'<p class="where">{words["type"]}: {types}</p>{origin}'
            f'<p class="where">{words["quote"]}:</p>{quotes}'
            f'<p class="where"><a href="{escape(page_href)}" target="_blank" rel="noopener">{words["page"]}</a></p>'
            '</body></html>')
    return body.encode("utf-8")
