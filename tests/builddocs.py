"""Real-world documents built from a readout's text, for the extraction tests and bench/extraction_bench.py:

- `html_page`: the text as the article of a ministry-style news page with real page furniture — a menu, a
  breadcrumb, share buttons, a "related news" list of other headlines (sentences too), a "most read" sidebar and a
  footer — in the article's language;
- `pdf`: the text printed to PDF by Chromium (`--headless --print-to-pdf`: a real PDF writer, lines wrapped by its
  layout engine, Noto fonts for Chinese and Arabic);
- `docx`: the text as a Word file written by python-docx, one paragraph each;
- `wrapped`: the text hard-wrapped at a width, as `fold -s` does for English and Arabic, and at display columns for
  Chinese (fold counts bytes, which would cut UTF-8 characters in half).
"""
from __future__ import annotations

import html
import io
import os
import shutil
import subprocess
import tempfile
import textwrap
import unicodedata
from pathlib import Path

def readouts() -> Path:
    """The readout sets with gold (a `real/` folder of sets): $TRIGLOT_READOUTS, else the copy in tests/data."""
    return Path(os.environ.get("TRIGLOT_READOUTS") or Path(__file__).resolve().parent / "data" / "readouts")


FURNITURE = {
    "en": {"menu": ["Home", "News", "Press Releases", "Spokesperson's Remarks", "Minister", "About Us", "Contact"],
           "crumb": "Home > News > Activities", "share": ["Share:", "Facebook", "X", "WeChat", "Weibo", "Print",
                                                          "E-mail"],
           "related": "Related News", "most": "Most Read",
           "headlines": ["Wang Yi Meets with Foreign Minister of Egypt.",
                         "Foreign Ministry Spokesperson's Regular Press Conference on 10 March 2020.",
                         "China and Arab States Hold Strategic Dialogue in Beijing.",
                         "Wang Yi Holds Phone Talks with Saudi Foreign Minister."],
           "footer": "Copyright © Ministry of Foreign Affairs, the People's Republic of China. All rights reserved. "
                     "Address: No. 2, Chaoyangmen Nandajie, Chaoyang District, Beijing, 100701. Tel: 86-10-65961114.",
           "links": ["Sitemap", "Privacy Policy", "Terms of Use", "Contact Us"], "dir": "ltr"},
    "zh": {"menu": ["首页", "外交部", "部长", "新闻", "发言人表态", "政策文件", "领事服务", "联系我们"],
           "crumb": "首页 > 外交部长 > 活动", "share": ["分享到：", "微信", "微博", "QQ空间", "打印本页", "关闭窗口"],
           "related": "相关新闻", "most": "热点新闻",
           "headlines": ["王毅会见埃及外长舒克里。", "2020年3月10日外交部发言人例行记者会。",
                         "中阿战略对话在北京举行。", "王毅同沙特外交大臣通电话。"],
           "footer": "版权所有：中华人民共和国外交部。地址：北京市朝阳区朝阳门南大街2号。邮编：100701。"
                     "电话：86-10-65961114。京ICP备05027896号。",
           "links": ["网站地图", "隐私声明", "使用条款", "联系我们"], "dir": "ltr"},
    "ar": {"menu": ["الرئيسية", "الأخبار", "البيانات الصحفية", "المتحدث الرسمي", "الوزير", "من نحن", "اتصل بنا"],
           "crumb": "الرئيسية > الأخبار > الأنشطة", "share": ["شارك:", "فيسبوك", "إكس", "واتساب", "طباعة",
                                                              "بريد إلكتروني"],
           "related": "أخبار ذات صلة", "most": "الأكثر قراءة",
           "headlines": ["وانغ يي يلتقي وزير الخارجية المصري.", "المؤتمر الصحفي الدوري للمتحدث باسم وزارة الخارجية.",
                         "انعقاد الحوار الاستراتيجي الصيني العربي في بكين.", "وانغ يي يجري اتصالا هاتفيا مع وزير "
                                                                             "الخارجية السعودي."],
           "footer": "جميع الحقوق محفوظة © وزارة الخارجية. العنوان: بكين، الصين. الهاتف: 86-10-65961114.",
           "links": ["خريطة الموقع", "سياسة الخصوصية", "شروط الاستخدام", "اتصل بنا"], "dir": "rtl"},
}


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def html_page(text: str, language: str, title: str = "") -> str:
    """A full news page around the readout's paragraphs; `title` (if any) is the article's <h1>."""
    f = FURNITURE[language]
    e = html.escape
    menu = "".join(f'<li><a href="/{k}.html">{e(item)}</a></li>' for k, item in enumerate(f["menu"]))
    share = "".join(f'<a class="share" href="#s{k}">{e(item)}</a> ' for k, item in enumerate(f["share"]))
    related = "".join(f'<li><a href="/news/{k}.html">{e(h)}</a> <span class="date">2020-03-1{k}</span></li>'
                      for k, h in enumerate(f["headlines"]))
    most = "".join(f'<li><a href="/top/{k}.html">{e(h)}</a></li>' for k, h in enumerate(reversed(f["headlines"])))
    body = "\n".join(f"<p>{e(p)}</p>" for p in paragraphs(text))
    links = " | ".join(f'<a href="/l{k}.html">{e(item)}</a>' for k, item in enumerate(f["links"]))
    heading = f"<h1>{e(title)}</h1>" if title else ""
    return f"""<!DOCTYPE html>
<html lang="{language}" dir="{f['dir']}"><head><meta charset="utf-8"><title>{e(title or f['menu'][2])}</title>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
<style>body{{font-family:sans-serif}} nav li{{display:inline}}</style></head>
<body>
<header><div class="logo"><a href="/">{e(f['menu'][0])}</a></div>
<nav class="main-menu"><ul>{menu}</ul></nav>
<form class="search"><input type="text" placeholder="Search"><button>Search</button></form></header>
<div class="breadcrumb">{e(f['crumb'])}</div>
<div class="container">
<main><article class="news-content">
{heading}
<div class="info"><span class="date">2020-03-09 22:15</span> <span class="source">{e(f['menu'][1])}</span></div>
<div class="share-bar">{share}</div>
<div class="content">
{body}
</div>
<div class="share-bar bottom">{share}</div>
</article></main>
<aside class="sidebar"><h3>{e(f['most'])}</h3><ul>{most}</ul></aside>
<section class="related"><h3>{e(f['related'])}</h3><ul>{related}</ul></section>
</div>
<footer><div class="links">{links}</div><p>{e(f['footer'])}</p></footer>
</body></html>
"""


EDITOR = {"en": "Editor: Liu Qian", "zh": "【责任编辑：刘倩】", "ar": "المحرر: ليو تشيان"}
COMMENTS = {"en": ("Comments", "Log in to comment. Your e-mail address will not be published."),
            "zh": ("网友评论", "登录后发表评论，请遵守法律法规。"),
            "ar": ("التعليقات", "سجل الدخول للتعليق. لن يتم نشر بريدك الإلكتروني.")}


def agency_page(text: str, language: str, title: str = "") -> str:
    """Another layout: a news agency's page without <article> or <main>, the body in a <div id="detail"> among
    divs, an editor's line, a "related" block right after the text, a comment box, a cookie banner and a footer."""
    f = FURNITURE[language]
    e = html.escape
    body = "\n".join(f"<p style=\"text-indent:2em\">{e(p)}</p>" for p in paragraphs(text))
    related = "".join(f'<div class="item"><a href="/r/{k}.htm">{e(h)}</a></div>' for k, h in enumerate(f["headlines"]))
    menu = " ".join(f'<a href="/c/{k}.htm">{e(item)}</a>' for k, item in enumerate(f["menu"]))
    heading = f'<div class="h-title">{e(title)}</div>' if title else ""
    comment_title, comment_text = COMMENTS[language]
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{e(title or f['related'])}</title></head>
<body dir="{f['dir']}">
<div id="cookie">{e(f['footer'][:40])} <button>OK</button></div>
<div class="topbar">{menu}</div>
<div class="wrap">
<div class="left">
{heading}
<div class="h-info"><span>2020-03-09 22:15:08</span><span>{e(f['menu'][1])}</span></div>
<div class="share">{" ".join(e(x) for x in f['share'])}</div>
<div id="detail">
{body}
</div>
<div class="editor">{e(EDITOR[language])}</div>
<div class="relatedNews"><div class="tit">{e(f['related'])}</div>{related}</div>
<div class="comment"><div class="tit">{e(comment_title)}</div><textarea></textarea><p>{e(comment_text)}</p></div>
</div>
<div class="right"><div class="tit">{e(f['most'])}</div>{related}</div>
</div>
<div class="foot">{" | ".join(e(x) for x in f['links'])}<br>{e(f['footer'])}</div>
</body></html>
"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pdf(text: str, language: str) -> bytes:
    """The readout's paragraphs printed to PDF by headless Chromium (A4, its own line wrapping)."""
    browser = chromium()
    if browser is None:
        raise RuntimeError("chromium is not installed (make browser installs it)")
    direction = FURNITURE[language]["dir"]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(text))
    page = (f'<!DOCTYPE html><html lang="{language}" dir="{direction}"><head><meta charset="utf-8"><style>'
            'body{font-family:"Noto Sans","Noto Sans CJK SC","Noto Naskh Arabic",sans-serif;font-size:12pt;'
            'margin:2cm}</style></head>' f"<body>{body}</body></html>")
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "page.html", Path(folder) / "page.pdf"
        source.write_text(page, encoding="utf-8")
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--user-data-dir={folder}/profile", f"--print-to-pdf={out}", source.as_uri()],
                       check=True, capture_output=True, timeout=120)
        return out.read_bytes()


def docx(text: str) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for paragraph in paragraphs(text):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _columns(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def wrapped(text: str, width: int, language: str, break_on_hyphens: bool = False) -> str:
    """Every paragraph line of `text` hard-wrapped at `width` columns; blank lines kept."""
    out = []
    for line in text.split("\n"):
        if not line.strip():
            out.append(line)
        elif language == "zh":
            rows, row, used = [], "", 0
            for ch in line:
                if used + _columns(ch) > width and row:
                    rows.append(row)
                    row, used = "", 0
                row, used = row + ch, used + _columns(ch)
            out.append("\n".join(rows + [row]))
        else:
            out.append("\n".join(textwrap.wrap(line, width, break_long_words=False,
                                               break_on_hyphens=break_on_hyphens)))
    return "\n".join(out)
