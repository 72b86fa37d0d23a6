"""Synthetic Chinese customer-feedback messages for the retail chain (module 08 · 会员反馈).

What
----
``feedback_texts(rng, categories, polarities, context=None)`` writes one free-text message per
``(category, polarity)`` pair, the way members type them into the mini-program, the hotline form, the store
comment book or an e-commerce review box. The generator (``helpers.synth``) decides *what* a member complains
about or praises (the ground truth); this module only decides *how it is worded*.

Why a grammar and not a list of sentences
-----------------------------------------
Module 08 teaches cleaning (width normalisation, emoji, repeated punctuation), jieba segmentation, keyword
statistics, a TF-IDF + logistic-regression category classifier and a sentiment model. On a handful of fixed
templates every one of those steps is trivial (the classifier scores 100 %, "top words" are the template words).
Real messages are messy, so the texts are *composed* from many interchangeable parts and then roughened:

1. **Shape.** Each message gets a shape: a bare exclamation (``太慢了!``, ``好评👍``), a one-clause remark, a
   medium message, or a long multi-sentence story (up to ~130 characters). Lengths therefore spread widely.
2. **Parts.** A message is a sequence of optional parts::

       [opening] [background] [when / where] core-statement [concrete detail] [second issue] [closing] [emoji]

   * *openings* — 35–40 per polarity (``真的无语了``, ``必须好评``, ``请问一下``);
   * *background* — who writes and why (``我们家基本每周都去…买菜``), only in long messages;
   * *core statements* — per category × polarity, each a small template with alternatives ``(a|b)``, optional
     pieces ``[x]`` / ``[a|b]`` and slots ``{prod}``, ``{shop}``, ``{time}``, ``{price}``, ``{points}``, ``{tier}``,
     ``{order}`` …; a product slot fixes the product and its retail category, and defect / praise words carry the
     products they fit (``发霉了@草莓/蓝莓``), so strawberries go mouldy and earphones lose a channel, never the
     reverse;
   * *details* — masked order numbers (``2024****3817``), card tails, staff badge numbers, clock times;
   * *second issue* — in about a third of the medium and half of the long messages another category's clause or
     full statement is mixed in ("东西不错，就是快递太慢"). The labelled category is always the *main* issue, so
     keywords of several categories co-occur as in real life;
   * *closings* — polarity-specific demands, thanks or questions, some category-specific (``把积分补回来``).
3. **Genuine ambiguity.** Real routing is not a function of the words, and neither is this data:

   * *shared statements* — some statements sit between two categories (a rude 骑手: 物流配送 or 服务态度? a
     coupon bought with points that fails at checkout: 营销活动 or 会员权益?). Either category may use them, so
     the same wording carries both labels;
   * *mild register* — polite remarks ("您好，感觉券用不了，希望改进一下，谢谢") are written the same way by members
     whose case was rated neutral and by those rated negative (or positive); complaints sometimes open and close
     politely, and about one negative message in fifteen is sarcastic ("好评，好到下次不想来了");
   * *category-free messages* — a few percent say only "好评👍" or "差评".
4. **Judgements.** About a third of the messages (and a clause in many others) are written the way any review
   is — products, shops, restaurants, hotels alike: an aspect, a degree adverb, a predicate that negation flips
   (``服务不太热情`` negative, ``价格一点也不贵`` positive), mild middles (``环境中规中矩``), contrast where the clause
   after 但是 carries the polarity, and verdicts (``下次还会再来``, ``踩雷了``); see :mod:`.review` and
   ``grammar/reviews.json``. A sentiment model trained on the data then learns evaluation, not only incidents.
5. **Noise.** After assembly a message may receive colloquial particles (啊 呢 吧 啦 哈), emoji, repeated
   punctuation (！！！ ？？ 。。。), a half-width / full-width mix, homophone slips (的/得/地, 在/再, 已/己, 那/哪)
   and internet shorthand (yyds, nb, tql, bzd). "能不能…吗？" doubles are tidied before the noise is added.

The result is learnable but not trivial: character 1–2-gram TF-IDF + logistic regression, trained on 2 000 and
tested on 1 000 messages, scores about 0.84–0.88 on category and 0.92–0.95 on polarity (see
``tests/test_textgen.py``); word features after jieba segmentation land in the same region. Category keywords
still dominate their own category (module 08's keyword tables make sense), and jieba's default dictionary splits
some domain words (小程序 → 小 / 程序), a ready-made reason for a custom dictionary.

Privacy
-------
No real names, no ID numbers. Phone numbers, order numbers and card numbers only appear masked
(``138****5678``, ``2025****3817``, ``尾号4821``); no run of 11 digits is ever produced.

Layout
------
``grammar/*.json`` the words and templates (data, not code) · ``grammar.py`` reads them · ``template.py`` the
template mini-language · ``dice.py`` the random stream · ``slots.py`` the ``{slot}`` functions and per-call
context · ``compose.py`` message assembly and noise, :func:`feedback_texts`.

Determinism
-----------
All randomness comes from the ``numpy.random.Generator`` passed in (uniforms are drawn in blocks and consumed in
order), so the same generator state gives the same texts. Nothing global is touched. 5 000 texts take well under
a second.
"""

from helpers.synth.text.compose import feedback_texts
from helpers.synth.text.grammar import CATEGORIES, OPENINGS, POLARITIES, RETAIL_CATEGORIES

__all__ = ["CATEGORIES", "OPENINGS", "POLARITIES", "RETAIL_CATEGORIES", "feedback_texts"]
