"""News-agency datelines in English, Chinese and Arabic: span, place, date, agency; and what is not a dateline."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import REAL_READOUTS
from triglot_server.engine.datelines import DatelineDate, find_dateline

D = DatelineDate


@pytest.mark.parametrize("text, dateline, place, place_id, date, agency", [
    # the dev readouts' forms
    ("BEIJING, June 5 (Xinhua) -- Chinese Foreign Minister Wang Yi met", "BEIJING, June 5 (Xinhua) --",
     "BEIJING", "beijing", D(None, 6, 5), "xinhua"),
    ("ABU DHABI, 11th March, 2026 (WAM) -- H.H. Sheikh Abdullah", "ABU DHABI, 11th March, 2026 (WAM) --",
     "ABU DHABI", "abu_dhabi", D(2026, 3, 11), "wam"),
    ("CAIRO, Feb. 20 (Xinhua) - Egypt said", "CAIRO, Feb. 20 (Xinhua) -", "CAIRO", "cairo", D(None, 2, 20),
     "xinhua"),
    ("JOHANNESBURG, Feb. 22 (Xinhua) -- A lasting peace", "JOHANNESBURG, Feb. 22 (Xinhua) --", "JOHANNESBURG",
     "johannesburg", D(None, 2, 22), "xinhua"),
    # other agencies and spellings
    ("KUWAIT, Feb 20 (KUNA) -- His Highness the Amir", "KUWAIT, Feb 20 (KUNA) --", "KUWAIT", "kuwait",
     D(None, 2, 20), "kuna"),
    ("RIYADH, March 25, 2024, SPA -- The Crown Prince", "RIYADH, March 25, 2024, SPA --", "RIYADH", "riyadh",
     D(2024, 3, 25), "spa"),
    ("Riyadh, March 25 (SPA) -- Saudi Arabia", "Riyadh, March 25 (SPA) --", "Riyadh", "riyadh", D(None, 3, 25),
     "spa"),
    ("DOHA, Jan. 3 (QNA) - The Amir", "DOHA, Jan. 3 (QNA) -", "DOHA", "doha", D(None, 1, 3), "qna"),
    ("MUSCAT, Sept. 9 (ONA) -- Oman", "MUSCAT, Sept. 9 (ONA) --", "MUSCAT", "muscat", D(None, 9, 9), "ona"),
    ("UNITED NATIONS, Oct. 1 (Xinhua) -- The UN", "UNITED NATIONS, Oct. 1 (Xinhua) --", "UNITED NATIONS", None,
     D(None, 10, 1), "xinhua"),
    ("RAMALLAH, Palestine, March 5 (Xinhua) -- Palestinian", "RAMALLAH, Palestine, March 5 (Xinhua) --",
     "RAMALLAH", "ramallah", D(None, 3, 5), "xinhua"),
    ("WASHINGTON, Dec 1 (Reuters) - The U.S.", "WASHINGTON, Dec 1 (Reuters) -", "WASHINGTON", "washington",
     D(None, 12, 1), "reuters"),
    ("BEIJING (AP) — China's foreign minister", "BEIJING (AP) —", "BEIJING", "beijing", None, "ap"),
    ("MOSCOW, 12 April 2024 (TASS) -- Russia", "MOSCOW, 12 April 2024 (TASS) --", "MOSCOW", "moscow",
     D(2024, 4, 12), "tass"),
    ("BEIJING, June 5 -- China and Egypt", "BEIJING, June 5 --", "BEIJING", "beijing", D(None, 6, 5), None),
])
def test_english_datelines(text, dateline, place, place_id, date, agency):
    d = find_dateline(text, "en")
    assert d is not None
    assert (d.text, d.place, d.date, d.agency) == (dateline, place, date, agency)
    assert d.place_ids[:1] == ((place_id,) if place_id else ())
    assert text[d.start:d.end].strip() == dateline
    assert text[d.end:d.end + 1].isalpha()  # the body starts right after


@pytest.mark.parametrize("text, dateline, place, place_id, date, agency, reporters", [
    ("新华社北京11月29日电 国务委员兼外长王毅", "新华社北京11月29日电", "北京", "beijing", D(None, 11, 29), "xinhua",
     None),
    ("中新社北京11月4日电（记者 张三）王毅表示", "中新社北京11月4日电（记者 张三）", "北京", "beijing", D(None, 11, 4),
     "cns", "张三"),
    ("新华社达喀尔11月29日电（记者X）当地时间", "新华社达喀尔11月29日电（记者X）", "达喀尔", "dakar",
     D(None, 11, 29), "xinhua", "X"),
    ("新华社布宜诺斯艾利斯5月21日电(记者倪瑞捷 崔元磊)当地时间5月21日", "新华社布宜诺斯艾利斯5月21日电(记者倪瑞捷 崔元磊)",
     "布宜诺斯艾利斯", "buenos_aires", D(None, 5, 21), "xinhua", "倪瑞捷 崔元磊"),
    ("新华社华盛顿3日电 美国国务院", "新华社华盛顿3日电", "华盛顿", "washington", D(None, None, 3), "xinhua", None),
    ("新华社利雅得2024年3月25日电 沙特", "新华社利雅得2024年3月25日电", "利雅得", "riyadh", D(2024, 3, 25), "xinhua",
     None),
    ("人民网北京11月29日电 据外交部网站消息", "人民网北京11月29日电", "北京", "beijing", D(None, 11, 29),
     "people_daily", None),
    ("本报开罗12月1日电（记者李四）埃及", "本报开罗12月1日电（记者李四）", "开罗", "cairo", D(None, 12, 1), None,
     "李四"),
    ("央视网消息（新闻联播）：国家主席习近平", "央视网消息（新闻联播）：", None, None, None, "cctv", None),
])
def test_chinese_datelines(text, dateline, place, place_id, date, agency, reporters):
    d = find_dateline(text, "zh")
    assert d is not None
    assert (d.text, d.place, d.date, d.agency, d.reporters) == (dateline, place, date, agency, reporters)
    assert d.place_ids[:1] == ((place_id,) if place_id else ())
    assert text[d.start:d.end].strip() == dateline


@pytest.mark.parametrize("text, dateline, place, place_id, date, agency", [
    ("بكين 15 أبريل 2024 (شينخوا) التقى وانغ يي", "بكين 15 أبريل 2024 (شينخوا)", "بكين", "beijing",
     D(2024, 4, 15), "xinhua"),
    ("القاهرة 20 فبراير (شينخوا) قال", "القاهرة 20 فبراير (شينخوا)", "القاهرة", "cairo", D(None, 2, 20),
     "xinhua"),
    ("أبوظبي في 11 مارس / وام / التقى سمو الشيخ", "أبوظبي في 11 مارس / وام /", "أبوظبي", "abu_dhabi",
     D(None, 3, 11), "wam"),
    ("أبوظبي في 11 مارس (WAM) التقى", "أبوظبي في 11 مارس (WAM)", "أبوظبي", "abu_dhabi", D(None, 3, 11), "wam"),
    ("القاهرة في 20 فبراير /أ ش أ/ أكد وزير الخارجية", "القاهرة في 20 فبراير /أ ش أ/", "القاهرة", "cairo",
     D(None, 2, 20), "mena"),
    ("الدوحة في 3 يناير /قنا/ استقبل", "الدوحة في 3 يناير /قنا/", "الدوحة", "doha", D(None, 1, 3), "qna"),
    ("المنامة في 5 مايو / بنا / أكد", "المنامة في 5 مايو / بنا /", "المنامة", "manama", D(None, 5, 5), "bna"),
    ("مسقط في 9 سبتمبر /العُمانية/ استقبل", "مسقط في 9 سبتمبر /العُمانية/", "مسقط", "muscat", D(None, 9, 9),
     "ona"),
    ("الرياض 15 رمضان 1445 هـ الموافق 25 مارس 2024 م واس استقبل", "الرياض 15 رمضان 1445 هـ الموافق 25 مارس 2024 م واس",
     "الرياض", "riyadh", D(2024, 3, 25), "spa"),
    ("المنامة في 5 مايو بنا أكد", None, None, None, None, None),
    ("الرياض 15 رمضان 1445 هـ الموافق 25 مارس 2024 م (واس) استقبل",
     "الرياض 15 رمضان 1445 هـ الموافق 25 مارس 2024 م (واس)", "الرياض", "riyadh", D(2024, 3, 25), "spa"),
    ("الكويت - 20 - 2 (كونا) -- أكد", "الكويت - 20 - 2 (كونا) --", "الكويت", "kuwait", D(None, 2, 20), "kuna"),
    ("عمان 20 شباط (بترا) - أكد", "عمان 20 شباط (بترا) -", "عمان", "amman", D(None, 2, 20), "petra"),
    ("بكين ١٨ نوفمبر ٢٠٢٥ (شينخوا) التقى", "بكين ١٨ نوفمبر ٢٠٢٥ (شينخوا)", "بكين", "beijing", D(2025, 11, 18),
     "xinhua"),
])
def test_arabic_datelines(text, dateline, place, place_id, date, agency):
    d = find_dateline(text, "ar")
    if dateline is None:  # a bare tag that is a common word (بنا "with us") needs its slashes
        assert d is None
        return
    assert d is not None
    assert (d.text, d.place, d.date, d.agency) == (dateline, place, date, agency)
    assert place_id in d.place_ids
    assert text[d.start:d.end].strip() == dateline


def test_a_place_implies_its_country_and_a_shared_spelling_gives_both_places():
    assert find_dateline("BEIJING, June 5 (Xinhua) -- x", "en").place_ids == ("beijing", "china")
    # عمان is both Amman (capital of Jordan) and Oman: the other version's dateline decides.
    assert {"amman", "oman", "jordan"} <= set(find_dateline("عمان 20 شباط (بترا) - أكد", "ar").place_ids)


@pytest.mark.parametrize("text, lang", [
    # body text with dates, places and agencies that is not a dateline
    ("On July 10, 2018, State Councilor and Foreign Minister Wang Yi met in Beijing", "en"),
    ("On 9 March, Chinese State Councillor & Foreign Minister Wang Yi took a phone call", "en"),
    ("Wang, also a member of the Political Bureau, said (Xinhua) that", "en"),
    ("China, Egypt (and others) -- a note", "en"),
    ("Chinese Foreign Minister Wang Yi on Tuesday held a phone conversation", "en"),
    ("2018年7月10日,国务委员兼外交部长王毅在北京会见", "zh"),
    ("当地时间2025年2月22日,中共中央政治局委员、外交部长王毅", "zh"),
    ("新华社记者报道，王毅在北京会见", "zh"),
    ("王毅表示，新华社北京11月29日电的报道", "zh"),
    ("في ٩ آذار/مارس، تلقى عضو مجلس الدولة", "ar"),
    ("في صباح يوم ٩ ديسمبر بالتوقيت المحلي، التقى الرئيس", "ar"),
    ("أجرى وزير الخارجية الصيني وانغ يي يوم الثلاثاء محادثات هاتفية", "ar"),
    ("التقى وانغ يي في بكين اليوم (الخميس)", "ar"),
    ("وأكد الجانبان (الصين ومصر) أن", "ar"),
])
def test_body_text_is_not_a_dateline(text, lang):
    assert find_dateline(text, lang) is None


def test_every_dev_readout_dateline_shape_is_recognised():
    # The opening of each real readout of the dev set that carries a dateline, verbatim.
    openings = [
        ("DAKAR, Nov. 30 (Xinhua) -- Chinese State Councilor", "en", "xinhua"),
        ("BEIJING, March 28 (Xinhua) -- Chinese Foreign Minister", "en", "xinhua"),
        ("BEIJING, Aug. 6 (Xinhua) -- Chinese Foreign Minister Wang Yi on Tuesday", "en", "xinhua"),
        ("新华社塔什干7月15日电(记者蔡国栋)当地时间7月15日,国务委员兼外长王毅", "zh", "xinhua"),
        ("新华社达喀尔11月30日电 当地时间11月29日,国务委员兼外长王毅", "zh", "xinhua"),
        ("中新社北京11月18日电 11月18日,中共中央政治局委员", "zh", "cns"),
        ("بكين 28 مارس 2024 (شينخوا) التقى وانغ يي وزير الخارجية الصيني", "ar", "xinhua"),
        ("بكين 18 نوفمبر 2025 (شينخوا) التقى وزير الخارجية الصيني", "ar", "xinhua"),
    ]
    for text, lang, agency in openings:
        d = find_dateline(text, lang)
        assert d is not None and d.agency == agency, text


def test_language_tags_are_normalised_and_checked():
    assert find_dateline("BEIJING, June 5 (Xinhua) -- x", "en-GB") is not None
    with pytest.raises(Exception, match="language"):
        find_dateline("x", "fr")


READOUTS = REAL_READOUTS


@pytest.mark.parametrize("readout", READOUTS, ids=lambda p: p.name)
def test_real_readouts_datelines_agree_with_the_event_date_and_stay_out_of_the_body(readout):
    # Each set is named after the day of the event (YYYY-MM-DD-...); a wire files its story that day or the next.
    event = date.fromisoformat(readout.name[:10])
    for sents in sorted(readout.glob("*.sents")):
        lines = [s for s in sents.read_text(encoding="utf-8").split("\n") if s.strip()]
        assert all(find_dateline(s, sents.stem) is None for s in lines[1:]), sents
        d = find_dateline(lines[0], sents.stem)
        if d is not None:
            assert d.agency is not None and d.date is not None and d.date.day is not None
            filed = date(d.date.year or event.year, d.date.month or event.month, d.date.day)
            assert timedelta(0) <= filed - event <= timedelta(days=1), (sents, d)
