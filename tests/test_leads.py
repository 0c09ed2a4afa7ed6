"""News leads (engine/leads.py): the opening sentence that reports a statement, told from event and body sentences."""
from __future__ import annotations

import pytest

from triglot_server.engine.leads import LeadShape, find_lead


@pytest.mark.parametrize("text, lang, shape, speaker, when", [
    # the dev readouts' two leads, verbatim openings
    ("DAKAR, Nov. 30 (Xinhua) -- Chinese State Councilor and Foreign Minister Wang Yi and Algerian Foreign Minister "
     "Ramtane Lamamra said Monday that their countries are willing to promote China-Algeria cooperation.", "en",
     LeadShape.SPEAKER_FIRST, "Chinese State Councilor and Foreign Minister Wang Yi and Algerian Foreign Minister "
     "Ramtane Lamamra", "Monday"),
    ("JOHANNESBURG, Feb. 22 (Xinhua) -- A lasting peace in the Israeli-Palestinian conflict can only be achieved "
     "through the two-state solution, Chinese Foreign Minister Wang Yi said in a phone conversation with Egyptian "
     "Foreign Minister Badr Abdelatty on Saturday.", "en", LeadShape.CLAIM_FIRST, "Chinese Foreign Minister Wang Yi",
     "on Saturday"),
    # other shapes of the same kind
    ("Chinese President Xi Jinping said on Tuesday that China is ready to work with Egypt.", "en",
     LeadShape.SPEAKER_FIRST, "Chinese President Xi Jinping", "on Tuesday"),
    ("BEIJING, June 5 (Xinhua) -- China firmly opposes any unilateral sanctions, Foreign Ministry Spokesperson Mao Ning "
     "said here on Wednesday.", "en", LeadShape.CLAIM_FIRST, "Foreign Ministry Spokesperson Mao Ning", "here"),
    ("بكين 15 أبريل 2024 (شينخوا) قال وزير الخارجية الصيني وانغ يي اليوم (الاثنين) إن الصين مستعدة للعمل مع مصر.",
     "ar", LeadShape.SPEAKER_FIRST, "وزير الخارجية الصيني وانغ يي", "اليوم (الاثنين)"),
    ("أكد الرئيس الصيني شي جين بينغ يوم الخميس أن العلاقات الصينية العربية تمر بأفضل فتراتها.", "ar",
     LeadShape.SPEAKER_FIRST, "الرئيس الصيني شي جين بينغ", "يوم الخميس"),
])
def test_leads(text, lang, shape, speaker, when):
    lead = find_lead(text, lang)
    assert lead is not None
    assert (lead.shape, lead.speaker, lead.when) == (shape, speaker, when)
    assert not text[lead.start:].startswith(("DAKAR", "JOHANNESBURG", "BEIJING", "بكين"))  # the dateline is not in it


@pytest.mark.parametrize("text, lang", [
    # event sentences that open other dev readouts
    ("BEIJING, March 28 (Xinhua) -- Chinese Foreign Minister Wang Yi met with Ahmed Mustafa Fahmy, new head of the "
     "League of Arab States' China representative office, in Beijing on Thursday.", "en"),
    ("BEIJING, Aug. 6 (Xinhua) -- Chinese Foreign Minister Wang Yi on Tuesday held a phone conversation with Badr "
     "Abdelatty, Egypt's Minister of Foreign Affairs.", "en"),
    ("بكين 28 مارس 2024 (شينخوا) التقى وانغ يي وزير الخارجية الصيني، أحمد مصطفى فهمي، في بكين اليوم (الخميس).", "ar"),
    # body sentences: a statement without the time it was made
    ("Wang Yi said that China attaches great importance to its comprehensive strategic partnership with Saudi Arabia.",
     "en"),
    ("China is ready to work with the League of Arab States to implement the consensus, Wang said.", "en"),
    ("وقال وانغ إن الصين مستعدة للعمل مع جامعة الدول العربية.", "ar"),
    ("王毅表示，中方愿同沙方加强合作。", "zh"),
])
def test_not_leads(text, lang):
    assert find_lead(text, lang) is None
