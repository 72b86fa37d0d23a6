"""Synthetic Chinese customer-feedback messages for the retail chain (module 08 · 会员反馈).

What
----
``feedback_texts(rng, categories, polarities, context=None)`` writes one free-text message per
``(category, polarity)`` pair, the way members type them into the mini-program, the hotline form, the store
comment book or an e-commerce review box. The generator (``helpers.generate``) decides *what* a member complains
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
4. **Noise.** After assembly a message may receive colloquial particles (啊 呢 吧 啦 哈), emoji, repeated
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

Determinism
-----------
All randomness comes from the ``numpy.random.Generator`` passed in (uniforms are drawn in blocks and consumed in
order), so the same generator state gives the same texts. Nothing global is touched. 5 000 texts take well under
a second.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from helpers.tables import FEEDBACK_CATEGORIES as CATEGORIES

__all__ = [
    "CATEGORIES",
    "OPENINGS",
    "POLARITIES",
    "RETAIL_CATEGORIES",
    "feedback_texts",
]

POLARITIES = ("negative", "neutral", "positive")

# ---------------------------------------------------------------------------------------------------------------
# randomness: a block-buffered stream of uniforms drawn from the caller's Generator
# ---------------------------------------------------------------------------------------------------------------


class _Dice:
    __slots__ = ("_buf", "_i", "_rng")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buf: list[float] = []
        self._i = 0

    def u(self) -> float:
        if self._i >= len(self._buf):
            self._buf = self._rng.random(4096).tolist()
            self._i = 0
        x = self._buf[self._i]
        self._i += 1
        return x

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.u() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.u() < p

    def int(self, lo: int, hi: int) -> int:
        """Uniform integer in [lo, hi]."""
        return lo + int(self.u() * (hi - lo + 1))

    def weighted(self, items: Sequence[Any], weights: Sequence[float]) -> Any:
        x = self.u() * sum(weights)
        for item, w in zip(items, weights, strict=True):
            x -= w
            if x < 0:
                return item
        return items[-1]


# ---------------------------------------------------------------------------------------------------------------
# template mini-language:  (a|b|c) choose one · [x] or [a|b] optional (p = 0.5) · {slot} a slot function
# ---------------------------------------------------------------------------------------------------------------


def _parse(s: str) -> list:
    pos = 0

    def seq(stop: str) -> list:
        nonlocal pos
        out: list = []
        lit: list[str] = []

        def flush() -> None:
            if lit:
                out.append(("L", "".join(lit)))
                lit.clear()

        while pos < len(s):
            c = s[pos]
            if c in stop:
                break
            if c == "(":
                flush()
                pos += 1
                alts = [seq("|)")]
                while pos < len(s) and s[pos] == "|":
                    pos += 1
                    alts.append(seq("|)"))
                if pos >= len(s) or s[pos] != ")":
                    raise ValueError(f"unclosed ( in template {s!r}")
                pos += 1
                out.append(("C", alts))
            elif c == "[":
                flush()
                pos += 1
                alts = [seq("|]")]
                while pos < len(s) and s[pos] == "|":
                    pos += 1
                    alts.append(seq("|]"))
                if pos >= len(s) or s[pos] != "]":
                    raise ValueError(f"unclosed [ in template {s!r}")
                pos += 1
                out.append(("O", alts[0]) if len(alts) == 1 else ("O", [("C", alts)]))
            elif c == "{":
                flush()
                end = s.index("}", pos)
                out.append(("S", s[pos + 1:end]))
                pos = end + 1
            elif c in ")]|}":
                raise ValueError(f"unbalanced {c!r} in template {s!r}")
            else:
                lit.append(c)
                pos += 1
        flush()
        return out

    tree = seq("")
    if pos != len(s):
        raise ValueError(f"unbalanced template {s!r}")
    return tree


_CACHE: dict[str, list] = {}


def _compiled(template: str) -> list:
    tree = _CACHE.get(template)
    if tree is None:
        tree = _CACHE[template] = _parse(template)
    return tree


# ---------------------------------------------------------------------------------------------------------------
# lexicon
# ---------------------------------------------------------------------------------------------------------------

#: per retail category: products, unit words, defects (negative), praise (positive), mild oddities (neutral)
_PRODUCTS: dict[str, dict[str, tuple[str, ...]]] = {
    # a word "x@a/b" only fits products whose name contains a or b (strawberries rot, earphones go silent)
    "生鲜食品": dict(
        items=("草莓", "车厘子", "三文鱼", "牛腱子肉", "土鸡蛋", "鲜牛奶", "西兰花", "基围虾", "五花肉", "香蕉", "蓝莓",
               "鸡胸肉", "冰鲜鸡翅", "沃柑"),
        units=("盒", "斤", "份", "袋", "箱"),
        bad=("不新鲜", "有股臭味", "已经变质了", "分量明显不够", "烂了好几个@草莓/车厘子/香蕉/蓝莓/沃柑/鸡蛋",
             "发霉了@草莓/蓝莓/车厘子/沃柑", "蔫巴巴的@西兰花", "里面有虫@西兰花/草莓/车厘子/沃柑",
             "颜色发黑@牛腱/五花肉/鸡胸/鸡翅/虾/三文鱼/香蕉", "解冻后一股腥味@三文鱼/虾/鸡翅/鸡胸",
             "一捏就出水@草莓/蓝莓", "酸得没法吃@草莓/车厘子/沃柑/蓝莓/牛奶", "好几个是散黄的@鸡蛋"),
        good=("很新鲜", "比菜市场还新鲜", "口感特别好", "个头大又甜@草莓/车厘子/蓝莓/沃柑/香蕉",
              "肉质很嫩@牛腱/五花肉/鸡胸/鸡翅/虾/三文鱼", "水分很足@草莓/车厘子/沃柑/西兰花",
              "一个坏的都没有@鸡蛋/草莓/车厘子/沃柑", "奶味很浓@牛奶"),
        odd=("颜色和上次不太一样", "看着有点小", "产地和标签上写的不一样"),
    ),
    "休闲零食": dict(
        items=("薯片", "坚果礼盒", "牛肉干", "苏打饼干", "黑巧克力", "辣条", "海苔", "果冻", "夏威夷果", "蛋黄酥", "鸭脖"),
        units=("包", "袋", "盒", "罐", "箱"),
        bad=("快过期了", "有哈喇味", "碎成渣了", "吃出了头发", "包装漏气", "味道怪怪的", "硬得咬不动@牛肉干/鸭脖/夏威夷果",
             "受潮了软塌塌的@薯片/饼干/海苔/蛋黄酥", "化了又凝固@巧克力"),
        good=("口感很好", "一口气就吃完了", "分量很足", "孩子超爱吃", "又香又脆@薯片/饼干/海苔/坚果/夏威夷果",
              "甜度刚好@巧克力/果冻/蛋黄酥"),
        odd=("口味好像改了", "包装换了新的", "比以前小了一点"),
    ),
    "粮油调味": dict(
        items=("东北大米", "花生油", "生抽", "高筋面粉", "挂面", "老陈醋", "火锅底料", "菜籽油", "小米", "蚝油"),
        units=("袋", "桶", "瓶", "包", "箱"),
        bad=("生产日期是去年的", "有一股霉味", "吃着发苦", "里面有小虫子@大米/面粉/挂面/小米", "瓶盖是漏的@油/生抽/醋",
             "结块了@面粉/底料", "有沉淀还浑浊@油/生抽/醋"),
        good=("性价比很高", "味道很正", "家里一直吃这个", "品质稳定", "煮出来很香@大米/小米/挂面"),
        odd=("颜色比以前深", "包装换了样子", "味道淡了一点"),
    ),
    "个护清洁": dict(
        items=("洗发水", "沐浴露", "洗衣液", "牙膏", "抽纸", "卫生巾", "洗洁精", "牙刷头", "洗手液", "湿厕纸"),
        units=("瓶", "包", "提", "箱", "支"),
        bad=("味道太刺鼻", "像是兑了水@洗发水/沐浴露/洗衣液/洗洁精/洗手液", "泵头压不出来@沐浴露/洗发水/洗手液",
             "漏了半瓶@洗发水/沐浴露/洗衣液/洗洁精/洗手液", "用了头皮发痒@洗发水", "一擦就破@抽纸/湿厕纸",
             "包装里少了一卷@抽纸", "刷毛一用就散@牙刷头", "用了起红疹@卫生巾/沐浴露"),
        good=("很好用", "味道很好闻", "用着很温和", "去污力很强@洗衣液/洗洁精", "纸很厚实@抽纸/湿厕纸",
              "泡沫很细@洗发水/沐浴露/洗手液/牙膏"),
        odd=("味道和以前不一样", "规格变小了", "颜色有点发黄"),
    ),
    "美妆护肤": dict(
        items=("面霜", "精华液", "口红", "防晒霜", "面膜", "粉底液", "卸妆水", "眼霜", "爽肤水", "洗面奶"),
        units=("支", "瓶", "盒", "套", "片"),
        bad=("用了脸上过敏起疹子", "怀疑是假货", "有一股酸味", "批号对不上", "像被开封过",
             "颜色和图片差很多@口红/粉底液", "搓泥严重@面霜/精华液/防晒霜/眼霜"),
        good=("是正品", "不闷痘", "用着很滋润@面霜/精华液/面膜/眼霜/爽肤水", "颜色很显白@口红/粉底液",
              "吸收很快@面霜/精华液/眼霜/爽肤水", "持妆很久@口红/粉底液", "卸得很干净@卸妆水/洗面奶"),
        odd=("质地比专柜的稀一点", "防伪码查不到", "包装和官网图不一样"),
    ),
    "母婴用品": dict(
        items=("纸尿裤", "婴儿奶粉", "婴儿湿巾", "奶瓶", "儿童牙膏", "婴儿米粉", "宝宝面霜", "拉拉裤", "吸管杯"),
        units=("包", "罐", "箱", "个", "盒"),
        bad=("日期不新鲜", "宝宝用了红屁股@纸尿裤/拉拉裤/湿巾", "罐子有凹痕@奶粉/米粉", "有股塑料味@奶瓶/吸管杯",
             "干巴巴的@湿巾", "一直侧漏@纸尿裤/拉拉裤", "吸管漏水@吸管杯", "宝宝抹了脸发红@面霜", "冲不开有颗粒@奶粉/米粉"),
        good=("用着放心", "很柔软不红屁屁@纸尿裤/拉拉裤", "宝宝很爱吃@奶粉/米粉", "吸水性很好@纸尿裤/拉拉裤",
              "材质很安全@奶瓶/吸管杯/牙膏/面霜/湿巾"),
        odd=("罐底的批号有点模糊", "尺码好像偏小", "包装和以前不一样"),
    ),
    "家居用品": dict(
        items=("四件套", "保温杯", "拖把", "收纳箱", "不粘锅", "毛巾", "衣架", "凉席", "乳胶枕", "垃圾袋"),
        units=("个", "套", "条", "卷", "件"),
        bad=("用了两次就坏了", "有很大的异味", "一洗就掉色@四件套/毛巾/凉席", "盖子拧不紧漏水@保温杯",
             "涂层掉了@不粘锅", "一拉就断@垃圾袋/衣架", "尺寸不对@四件套/凉席/收纳箱", "不保温@保温杯",
             "一用就掉毛@毛巾/四件套", "杆子一拧就松@拖把"),
        good=("质感不错", "颜值很高", "很结实", "做工很扎实", "很吸水@毛巾/拖把", "保温效果很好@保温杯",
              "睡着很舒服@四件套/凉席/乳胶枕"),
        odd=("颜色比图片深", "有点味道要散散", "尺寸和标的差了一点"),
    ),
    "服饰鞋包": dict(
        items=("羽绒服", "运动鞋", "卫衣", "双肩包", "棉袜", "牛仔裤", "保暖内衣", "帆布鞋", "纯棉T恤"),
        units=("件", "件", "双", "条", "个"),
        bad=("开线了", "到处是线头", "尺码严重偏小", "起球严重@卫衣/棉袜/保暖内衣/T恤", "掉色染了别的衣服@牛仔裤/卫衣/T恤",
             "鞋底开胶了@鞋", "拉链坏了@羽绒服/双肩包/卫衣", "一直跑绒@羽绒服"),
        good=("做工精细", "尺码很标准", "穿着很舒服@羽绒服/运动鞋/卫衣/棉袜/牛仔裤/内衣/鞋/T恤",
              "版型很好@羽绒服/卫衣/牛仔裤/T恤", "面料不错@卫衣/T恤/内衣/牛仔裤", "很保暖@羽绒服/内衣",
              "背着很轻@双肩包"),
        odd=("尺码偏大半码", "颜色和图片有点色差", "吊牌和小票价格不一样"),
    ),
    "数码家电": dict(
        items=("蓝牙耳机", "电饭煲", "充电宝", "吹风机", "空气炸锅", "电热水壶", "扫地机器人", "数据线", "榨汁机",
               "护眼台灯"),
        units=("台", "个", "根", "套", "件"),
        bad=("用了一周就开不了机", "有划痕像二手的", "按键失灵", "充不进电@耳机/充电宝/扫地机器人",
             "噪音特别大@吹风机/空气炸锅/扫地机器人/榨汁机", "一插上就跳闸@电饭煲/空气炸锅/电热水壶/吹风机",
             "左耳没声音@耳机", "发热很严重@充电宝/数据线", "接触不良@数据线/台灯"),
        good=("很好用", "操作简单", "颜值和性能都在线", "功能很齐全", "续航很给力@耳机/充电宝/扫地机器人",
              "声音很小@吹风机/空气炸锅/扫地机器人/榨汁机", "光线很柔和@台灯"),
        odd=("说明书是英文的", "保修卡没有盖章", "插头是两脚的"),
    ),
}
#: the chain's retail categories, in the catalogue order of ``helpers.generate.CATALOGUE`` (a test checks they agree)
RETAIL_CATEGORIES = tuple(_PRODUCTS)

_CITIES = ("上海", "杭州", "成都", "武汉", "南京", "西安", "长沙", "郑州", "苏州", "重庆", "青岛", "合肥", "厦门", "昆明",
           "宁波", "济南", "佛山", "无锡", "南昌", "贵阳")
_ROADS = ("人民路", "解放路", "中山路", "建设路", "滨江", "高新区", "万象城", "火车站", "大学城", "江北", "新城",
          "东门", "西湖", "光谷", "南湖", "奥体", "开发区", "天河", "金桥", "长江路")
#: fictional brands per retail category (a brand only ever prefixes a product of its own category)
_BRANDS: dict[str, tuple[str, ...]] = {
    "生鲜食品": ("禾田", "优鲜坊"), "休闲零食": ("悦享", "脆乐"), "粮油调味": ("佳味源", "稻香谷"),
    "个护清洁": ("净朵朵", "清沐"), "美妆护肤": ("晨露", "轻氧"), "母婴用品": ("贝贝安", "小橡果"),
    "家居用品": ("家乐宝", "暖居"), "服饰鞋包": ("布野", "步履"), "数码家电": ("极客派", "声迈"),
}
_TIERS = ("普通会员", "银卡会员", "金卡会员", "铂金会员", "钻石会员")
_STAFF = ("收银员", "店员", "导购", "理货员", "服务台的工作人员", "值班经理", "生鲜区的师傅", "试吃区的阿姨", "保安",
          "客服", "售后客服", "收银的小姑娘", "称重的大叔")
_COURIERS = ("骑手", "快递员", "配送员", "快递小哥", "送货师傅")

_TIMES = ("昨天", "昨天下午", "昨天晚上", "今天早上", "今天中午", "前天", "前天晚上", "上周六", "上周日", "上周末",
          "周三晚上", "上个月", "月初", "这周一", "前几天", "刚才", "大前天", "周末", "国庆期间", "元旦那天",
          "双十一的时候", "端午节前", "中秋前后", "下班路上", "今天上午十点多", "晚上八点左右", "中午十二点多")
_CLOCKS = ("上午十点左右", "中午十二点半", "下午三点多", "晚上七点", "晚上九点前后", "下午五点十分", "早上八点多")

# ---------------------------------------------------------------------------------------------------------------
# slots
# ---------------------------------------------------------------------------------------------------------------

_CN_NUM = ("一", "两", "三", "四", "五", "六")


class _Ctx:
    """Per-call lexicon (built-ins overridden by ``context``) plus per-message state."""

    def __init__(self, context: Mapping[str, Any] | None) -> None:
        context = dict(context or {})

        def names(key: str) -> tuple[str, ...]:  # lists, tuples, arrays or Series; empty / missing -> ()
            v = context.get(key)
            return () if v is None or isinstance(v, str | Mapping) else tuple(str(x) for x in v if str(x))

        self.cities = names("cities") or _CITIES
        # brands: a mapping retail category -> names prefixes products of that category; a plain list only fills
        # the category-free {brand} slot ("一直买X家的东西"), since a brand must not land on a foreign product
        brands = context.get("brands")
        self.brands_by_cat: dict[str, tuple[str, ...]] = dict(_BRANDS)
        if isinstance(brands, Mapping):
            for k, v in brands.items():
                if k in _BRANDS and len(v):
                    self.brands_by_cat[k] = tuple(str(x) for x in v)
        self.brands = names("brands") or tuple(b for bs in self.brands_by_cat.values() for b in bs)
        self.tiers = names("tiers") or _TIERS
        self.stores = names("stores") or None
        # products: mapping retail category -> names, sequence of (name, category) pairs, or plain names
        self.by_cat: dict[str, tuple[str, ...]] = {k: v["items"] for k, v in _PRODUCTS.items()}
        self.plain: tuple[str, ...] = ()
        prods = context.get("products")
        if prods is not None and len(prods):
            if isinstance(prods, Mapping):
                for k, v in prods.items():
                    if k in _PRODUCTS and len(v):
                        self.by_cat[k] = tuple(v)
            else:
                extra: dict[str, list[str]] = {}
                plain: list[str] = []
                for p in prods:
                    if isinstance(p, tuple | list) and len(p) == 2 and p[1] in _PRODUCTS:
                        extra.setdefault(p[1], []).append(str(p[0]))
                    else:
                        plain.append(str(p))
                for k, v in extra.items():
                    self.by_cat[k] = tuple(v)
                self.plain = tuple(plain)
        self.state: dict[str, Any] = {}


def _pc(d: _Dice, c: _Ctx) -> str:
    """The retail category of the message's product (fixed on first use)."""
    pc = c.state.get("pc")
    if pc is None:
        pc = c.state["pc"] = d.pick(RETAIL_CATEGORIES)
    return pc


def _slot_prod(d: _Dice, c: _Ctx) -> str:
    name = c.state.get("prod")
    if name is None:
        pc = _pc(d, c)
        if c.plain and d.chance(0.4):
            name = d.pick(c.plain)
        else:
            name = d.pick(c.by_cat[pc])
            if d.chance(0.15):
                name = d.pick(c.brands_by_cat[pc]) + ("的" if d.chance(0.3) else "") + name
        c.state["prod"] = name
    return name


def _slot_qty(d: _Dice, c: _Ctx) -> str:
    unit = d.pick(_PRODUCTS[_pc(d, c)]["units"])
    if d.chance(0.3):
        return f"{d.int(2, 12)}{unit}"
    return d.pick(_CN_NUM) + unit


def _slot_price(d: _Dice, c: _Ctx) -> str:
    r = d.u()
    if r < 0.4:
        return f"{d.int(9, 299)}.{d.pick(('9', '8', '5', '9'))}元"
    if r < 0.6:
        return f"{d.int(5, 999)}元"
    if r < 0.75:
        return f"¥{d.int(9, 499)}"
    if r < 0.9:
        return d.pick(("一百多", "两百多", "三十多", "五十几", "八十多", "四百多")) + d.pick(("块", "块钱", "元"))
    return f"{d.int(10, 99)}块"


def _slot_money(d: _Dice, c: _Ctx) -> str:
    r = d.u()
    if r < 0.5:
        return f"{d.int(3, 80)}元"
    if r < 0.8:
        return f"{d.int(3, 50)}块钱"
    return d.pick(("十几块", "二十多块", "好几十", "一百多"))


def _slot_points(d: _Dice, c: _Ctx) -> str:
    return str(d.pick((d.int(1, 99) * 100, d.int(5, 60) * 10, d.int(100, 9999))))


def _slot_order(d: _Dice, c: _Ctx) -> str:
    r = d.u()
    tail = f"{d.int(0, 9999):04d}"
    if r < 0.35:
        return f"订单号{d.pick(('', '：', ':', ' '))}{d.int(2023, 2025)}****{tail}"
    if r < 0.6:
        return f"订单尾号{tail}"
    if r < 0.8:
        return f"单号{d.pick(('', '：'))}DD****{tail}"
    return d.pick(("我的订单", "这个订单", "这单", "那一单"))


def _slot_phone(d: _Dice, c: _Ctx) -> str:
    return f"1{d.pick(('3', '5', '8', '7'))}{d.int(0, 9)}****{d.int(0, 9999):04d}"


def _slot_store(d: _Dice, c: _Ctx) -> str:
    if c.stores and d.chance(0.7):
        return d.pick(c.stores)
    return d.pick(_ROADS) + d.pick(("店", "店", "店", "那家店", "门店", "分店"))


def _city_store(d: _Dice, c: _Ctx) -> str:
    store = _slot_store(d, c)
    if any(city in store for city in c.cities):
        return store
    return d.pick(c.cities) + d.pick(("的", "")) + store


#: cumulative cut-offs (one store of the chain, city + store, online channel); above the last a generic shop word
_PLACE_CUTS = (0.45, 0.6, 0.75)  # where something happened: a store or an online channel
_SHOP_CUTS = (0.55, 0.7, 0.7)    # a physical store (for parking, toilets, cashiers …): never online


def _slot_venue(d: _Dice, c: _Ctx, cuts: tuple[float, float, float]) -> str:
    r = d.u()
    if r < cuts[0]:
        return d.pick(("", "", "你们", "你们")) + _slot_store(d, c)
    if r < cuts[1]:
        return _city_store(d, c)
    if r < cuts[2]:
        return d.pick(("线上商城", "小程序", "小程序上", "商城", "APP上"))
    return d.pick(("店里", "门店", "你们店", "超市", "家门口的店", "你们这家店"))


def _slot_city(d: _Dice, c: _Ctx) -> str:
    return d.pick(c.cities)


def _slot_tier(d: _Dice, c: _Ctx) -> str:
    t = d.pick(c.tiers)
    if c.state.get("tier") == t and len(c.tiers) > 1:
        t = c.tiers[(c.tiers.index(t) + 1) % len(c.tiers)]
    c.state["tier"] = t
    return t


def _from_pc(key: str):
    """A defect / praise / oddity word that fits the message's product."""
    def slot(d: _Dice, c: _Ctx) -> str:
        words = _PRODUCTS[_pc(d, c)][key]
        prod = c.state.get("prod", "")
        fitting = [w for w in words if "@" not in w or any(k in prod for k in w.split("@")[1].split("/"))]
        return d.pick(fitting or [w for w in words if "@" not in w]).split("@")[0]
    return slot


def _slot_fresh(d: _Dice, c: _Ctx) -> str:
    """A fresh-food product (cold-chain messages)."""
    if "prod" not in c.state:
        c.state["pc"] = "生鲜食品"
    return _slot_prod(d, c)


_SLOTS = {
    "prod": _slot_prod,
    "fresh": _slot_fresh,
    "qty": _slot_qty,
    "bad": _from_pc("bad"),
    "good": _from_pc("good"),
    "odd": _from_pc("odd"),
    "rc": lambda d, c: d.pick(RETAIL_CATEGORIES),
    "brand": lambda d, c: d.pick(c.brands),
    "price": _slot_price,
    "money": _slot_money,
    "points": _slot_points,
    "order": _slot_order,
    "phone": _slot_phone,
    "store": _slot_store,
    "place": lambda d, c: _slot_venue(d, c, _PLACE_CUTS),
    "shop": lambda d, c: _slot_venue(d, c, _SHOP_CUTS),
    "city": _slot_city,
    "tier": _slot_tier,
    "staff": lambda d, c: d.pick(_STAFF),
    "courier": lambda d, c: d.pick(_COURIERS),
    "time": lambda d, c: d.pick(_TIMES),
    "clock": lambda d, c: d.pick(_CLOCKS),
    "days": lambda d, c: d.pick(("三", "四", "五", "六", "七", "八", "十", str(d.int(3, 12)))),
    "hours": lambda d, c: d.pick(("两", "三", "四", "五", str(d.int(2, 9)))),
    "mins": lambda d, c: str(d.pick((d.int(2, 9) * 5, d.int(15, 90)))),
    "full": lambda d, c: str(d.pick((99, 129, 159, 199, 200, 299, 300, 399, 500))),
    "cut": lambda d, c: str(d.pick((10, 15, 20, 30, 40, 50, 60, 100))),
    "wid": lambda d, c: f"{d.pick(('', '', 'A', 'S'))}{d.int(10, 9999):03d}",
    "d4": lambda d, c: f"{d.int(0, 9999):04d}",
    "n": lambda d, c: d.pick(("两", "三", "好几", "四五", "N")),
}

# ---------------------------------------------------------------------------------------------------------------
# grammar: openings, core statements, short clauses, details, closings
# ---------------------------------------------------------------------------------------------------------------

#: message openings per polarity (each at least 30, see tests)
OPENINGS: dict[str, tuple[str, ...]] = {
    "negative": (
        "真的无语了", "气死我了", "投诉！", "我要投诉", "差评！", "太让人失望了", "服了", "说句实话", "忍不住来吐槽一下",
        "第一次给差评", "不吐不快", "你们还想不想做生意了", "离谱", "无语子", "这已经不是第一次了", "我就想问问",
        "能不能上点心", "本来不想说的", "作为老顾客真的很寒心", "心累", "醉了", "真心建议你们管管", "一言难尽",
        "我真的会谢", "emmm", "呵呵", "实在忍不了了", "又是这样", "吐槽一下", "坑人啊", "大家评评理", "糟心",
        "太离谱了吧", "严重投诉", "生气", "受不了了", "不想多说", "怎么回事啊", "差评差评", "强烈不满",
    ),
    "positive": (
        "必须好评", "给你们点个赞", "太满意了", "好评！", "真心不错", "惊喜", "五星好评", "夸一夸", "表扬一下",
        "一直在你们家买", "老顾客了", "第一次写评价", "忍不住来夸一下", "点赞👍", "超级棒", "开心", "哇", "谢谢你们",
        "太贴心了", "专门来表扬", "yyds", "良心商家", "推荐推荐", "赞一个", "很满意", "今天心情很好", "没想到",
        "值得表扬", "用心了", "不得不说", "真的很棒", "好评好评", "满分", "给力", "超出预期", "爱了",
    ),
    "neutral": (
        "你好", "您好，", "请问一下", "咨询一下", "想问下", "有个小建议", "提个建议", "麻烦问一下", "在吗？", "客服你好",
        "打扰一下", "hello", "我想了解一下", "问个问题", "建议一下", "小建议：", "不知道能不能问", "顺便说一句",
        "有个疑问", "求解答", "想确认一下", "各位好", "弱弱地问一句", "嗨", "请教一下", "亲，", "你们好呀",
        "想反馈个情况", "说个事", "有个情况想反映一下", "hi", "冒昧问一下", "问一下哈", "想咨询个事", "留言一下",
    ),
}

# core statements: the main issue of the message
_CORE: dict[tuple[str, str], tuple[str, ...]] = {
    ("产品质量", "negative"): (
        "{time}在{place}买的{qty}{prod}，(回家|到家|打开)(一看|发现)[就]{bad}",
        "{prod}{bad}，(这种东西也敢卖？|你们品控是干嘛的？|质量也太差了吧|是不是临期处理的货)",
        "买了{qty}{prod}，{bad}，(花了|付了){price}买了个寂寞",
        "(这次|这回)的{prod}和之前买的完全不是一个品质，{bad}",
        "(质量|品质)(越来越差|大不如前)了，{prod}{bad}",
        "{prod}{bad}，(怀疑|感觉)是(残次品|库存尾货|仓库压了很久的货)",
        "拆开{prod}(就|立马)发现{bad}，(拍了照片|留了视频)[可以|随时]提供",
        "{order}的{prod}{bad}",
        "(给孩子买的|给老人买的|自己用的|给家里买的){prod}{bad}，(太闹心|心塞|气人)了",
        "{prod}标价{price}，(结果|可是){bad}，(这个价格|这价钱)就这质量？",
        "连续两次买的{prod}都{bad}，(不是偶然|肯定是批次问题)了",
        "(在{place}|{time})买的{prod}{bad}，(质量|品控)(堪忧|太差)",
        "{prod}(刚买|才买)[回来]没几天就{bad}",
        "(一直|以前)(挺|很)(信任|相信){brand}(家|)的(质量|品质)，(这次|这回)(的|买的){prod}{bad}",
    ),
    ("产品质量", "positive"): (
        "{time}买的{prod}{good}[，(家里人|孩子|老公|老妈)都说好]",
        "{prod}{good}，才{price}，(性价比很高|太值了)",
        "{prod}(真的|确实){good}，(已经|都)回购(好几|三|四)次了",
        "(在{place}|线上)买的{qty}{prod}，{good}，(质量没得说|品质很稳定)",
        "(你们家|这里)的{prod}(质量|品质)一直(很稳定|很靠谱|没让人失望过)",
        "{prod}{good}，(比别家|比外面)(好太多|强多了)",
        "本来(担心|怕){prod}(质量|品质)不行，(结果|没想到){good}",
        "{prod}(收到了|拿到了)，{good}，(下次还买|会回购的|推荐给朋友了)",
        "(这批|这次)的{prod}{good}，(品控|质量)(做得好|在线)",
        "{brand}(家|)的东西(质量|品质)(一直|都)(很稳|没话说)，(这次|这回)买的{prod}(也|同样){good}",
    ),
    ("产品质量", "neutral"): (
        "{prod}的(保质期|生产日期)(是多久|在哪看)？",
        "请问{prod}是(正品|进口的|国产的)吗？(有没有|能不能看)(检测报告|质检报告)？",
        "(买的|前几天买的){prod}(有点|好像){odd}，(这个|这样)正常吗？",
        "建议{prod}(出|做)(小包装|大容量|家庭装)，(一次吃不完|一个人用不完|买着更方便)",
        "{prod}(怎么保存|怎么清洗|怎么用)比较好？(说明书|包装上)没写清楚",
        "{prod}(这批|最近)的(品质|质量)(好像|感觉)有点(变化|不太一样)，(是换供应商了吗|是换了产地吗)？",
        "希望(能|可以)(在商品页上|在货架上)(标清楚|写明)(产地|成分|配料表|规格)",
        "{prod}(有质量问题|坏了)要怎么(退换|申请售后)？",
        "{prod}{odd}，(想确认一下|想问问)是不是(新包装|正常的)",
    ),
    ("服务态度", "negative"): (
        "{time}在{shop}(结账|买东西)，{staff}(态度特别差|全程黑着脸|爱答不理的|一直翻白眼)",
        "(问|找){staff}{prod}放在哪，(对方|她|他)很不耐烦地说(自己找|不知道|不归我管)",
        "{staff}(当着顾客的面|在收银台)(玩手机|聊天|吃东西)，(叫了好几声|喊了半天)都没人理",
        "打客服电话(打了|等了){mins}分钟(都没人接|才接通)，接通后(还|又)(推来推去|让我自己去找门店)",
        "在线客服(只会|一直)(复制粘贴|发模板回复|说亲亲稍等)，(问题|事情)(一点|根本)没解决",
        "{staff}(说话|讲话)(特别冲|很难听)，我(就|只是)问了一句(能不能开发票|有没有袋子|会员价怎么算)，(至于吗|用得着这样吗)",
        "(退货|退换)的时候{staff}(一直|反复)(刁难|质问我|怀疑我)，(搞得|弄得)(像我是小偷一样|我很难堪)",
        "{staff}(多收了钱|扫了两遍)(还|也)不(承认|道歉)，(调监控|查小票)后才(退给我|认错)",
        "(排队|结账)(排了|等了){mins}分钟，(只开了|就开了)(一个|两个)收银台，(工作人员|店员)在(旁边|一边)(聊天|闲站着)",
        "(服务|态度)(一次比一次|越来越)差，{staff}(连招呼都不打|都不正眼看人)",
        "保安(态度恶劣|很凶)，(拦着|不让)我(推婴儿车|带购物车)进门，说话(还|也)很冲",
        "{shop}的{staff}(态度|服务)(太差|极差)，(问什么都|什么都)说不知道",
        "(售后|客服)(踢皮球|互相推诿)，(说了|打了)(三次|好几次)(电话|)都没人(负责|跟进)",
    ),
    ("服务态度", "positive"): (
        "{shop}的{staff}(特别|非常|超级)(热情|耐心|有礼貌)，(主动|还主动)(帮我|帮忙)(把东西搬到车上|找到了要的东西|打包|推荐了合适的)",
        "(要表扬|点名表扬){shop}的{staff}，(工号|编号){wid}，(服务|态度)(真的|特别)好",
        "{staff}很耐心地(给我|帮我)(讲解|介绍|核对)了(半天|好久)，一点都不(嫌烦|着急)",
        "客服(小姐姐|小哥)(回复|处理)(很快|特别及时)，(问题|事情)很快就解决了",
        "(老人|我妈|我爸)(不会用手机付款|找不到东西)，{staff}(一直|全程)在旁边(帮忙|指导)，(特别|很)(暖心|感动)",
        "(东西掉了|钱包落在收银台)，{staff}(追出来|专门打电话)(还给我|联系我)，(太|真)(感谢|谢谢)了",
        "每次去{shop}{staff}都(笑眯眯的|很热情)，(购物|逛着)(很|都)(舒心|开心)",
        "(售后|退换货)(处理|办)得(很|特别)(爽快|利索)，{staff}(没有|一点没)(为难|刁难)",
        "{staff}(服务态度|态度)(真的|非常)好，(有问必答|说话很客气)",
    ),
    ("服务态度", "neutral"): (
        "(建议|希望){shop}(高峰期|周末)多开(几个|两个)收银台",
        "(想问一下|请问)客服(几点|什么时候)(上班|在线)？(热线|电话)(一直|总是)(占线|打不进来)",
        "(希望|建议)(店员|工作人员)(多|能)熟悉一下(商品位置|活动规则)，问了(好几个人|两个人)(才知道|都说不清楚)",
        "(请问|想问)可以(投诉|表扬)(具体的|某个)(员工|店员)吗？(渠道|入口)在哪里？",
        "{staff}说的跟(小程序上|网上)写的不一样，(以哪个为准|到底听谁的)？",
        "(建议|希望)加强一下(员工|店员)(培训|服务培训)，(有的|个别)(店员|员工)(不太会沟通|耐心不够)",
        "(请问|想问)(人工客服|在线客服)(怎么转|在哪里找)？(机器人|自动回复)(答非所问|回答不了)",
    ),
    ("营销活动", "negative"): (
        "(说好的|宣传的)满{full}减{cut}，(结账|付款)的时候(却|根本)(用不了|没减)",
        "(刚|前两天)(买的|原价买的){prod}，(今天|第二天)就(降价|打折)了{money}，(能不能|可不可以)(补差价|退差价)？",
        "(领的|抢的)(优惠券|满减券)(显示|提示)(不可用|不满足条件)，(规则|条件)(写得|藏得)(也太|太)(模糊|隐蔽)了",
        "(所谓的|号称)(秒杀|限时特价)(比平时还贵|一点都不便宜)，(先涨价再打折|玩文字游戏)(有意思吗|当我们傻吗)",
        "(买一送一|满赠)的赠品(没给|说送完了)，(那|)活动(海报|宣传)(还|怎么还)挂着？",
        "(价签|价格标签)(写的|标的){price}，(结账|扫出来)(却是|变成了)(多了|贵了){money}，(这不是|这就是)价格欺诈(吗|)",
        "(营销短信|推送)(一天|每天)(好几条|发个不停)，(退订了也没用|取消了还在发)，(太烦人了|真是骚扰)",
        "(抽奖|转盘)(抽了|参加了)(十几次|好多次)(全是|都是)(谢谢参与|无门槛一元券)，(怀疑|感觉)(根本|压根)没(奖品|设大奖)",
        "(直播间|群里)(说|讲)的(优惠|价格)(到店|下单)(不认|没有)，(活动|促销)(规则|说明)(也|又)没人说得清楚",
        "(拼团|砍价)(拉了|找了)(好几个|七八个)(人|朋友)(都|还)(没成功|差一点)，(纯属|就是)(套路|骗人头)",
        "(周年庆|年货节|店庆)[的](折扣|优惠)(是假的|就是噱头)，{prod}(活动价|打完折)(比平时|比上周)还贵{money}",
    ),
    ("营销活动", "positive"): (
        "(这次|这回)的(满减|周年庆|店庆)活动(力度|优惠)(真的|很)大，(买了|囤了)(一堆|好多){prod}(才|只花了){price}",
        "(领了|用了)(优惠券|满{full}减{cut}的券)，(算下来|折下来)(便宜了|省了){money}，(开心|划算)",
        "(秒杀|限时特价)(抢到了|买到了){prod}，(比平时|比别家)便宜(不少|好多)",
        "(买一送一|满赠)的(赠品|礼品)(质量|品质)(也|都)(很好|不错)，(很|特别)(有诚意|用心)",
        "(活动|优惠)(规则|说明)(清楚|简单)，(不|没有)(套路|弯弯绕)，这点(必须|要)(点赞|好评)",
        "(抽奖|试吃活动)(抽中了|参加了)，(拿到|得到)了(一张券|一份小礼品|一盒{prod})，(运气太好了|真不错)",
        "(直播间|社群)的(优惠|福利)(很实在|真给力)，(以后|下次)(还会|会)(关注|蹲)",
        "(促销|特价)(期间|那几天)(买了|囤了){qty}{prod}，(折扣|价格)(很|特别)(给力|实在)",
    ),
    ("营销活动", "neutral"): (
        "请问(这次|下个月)的(满减|周年庆|年货节)活动(什么时候|几号)(开始|结束)？",
        "(优惠券|满减券)(能不能|可以)(和|跟)(会员价|其他活动)(叠加|一起用)？",
        "(建议|希望)(活动|优惠)(规则|说明)写得(简单|清楚)(一点|些)，看了(半天|好久)(没看懂|才看懂)",
        "(门店|线下)跟(线上商城|小程序)的(活动|价格)(是一样的吗|同步吗)？",
        "(能不能|可不可以)(少发点|别发那么多)(推送|营销短信)，(一周|每周)(一两条|一次)就(够了|行)",
        "(这个|)(赠品|抽奖奖品)(怎么领|在哪领|什么时候发)？",
        "(希望|建议)多(搞|做)点{rc}的(促销|特价)活动",
        "(满{full}减{cut}|这个券)是(全场|所有商品)都能用吗？{rc}(能用吗|参加吗)？",
    ),
    ("物流配送", "negative"): (
        "{order}(下单|付款)后(等了|)({days}天|{hours}个小时)(才到|还没到|都没发货)[，物流信息(一直|)(不更新|停着不动)]",
        "(说好的|承诺的)(一小时达|半日达|次日达)，(结果|实际)(等了|用了)(整整|)(一天|{hours}个小时|{days}天)",
        "{courier}(没打电话|没联系我)就(直接|)把东西(放在|扔在)(门口|楼下|快递柜)，(系统|)显示已签收",
        "(冷冻的|冷藏的|){fresh}送到的时候(冰袋|冰块)都化了，(包装|箱子)(湿透了|全是水)",
        "(包裹|箱子)(送到|到)的时候(被压扁了|破了个大洞)，里面的{prod}(也|都)(压坏了|碎了|漏了)",
        "(送错了地址|少送了(一件|两件)|送来的是别人的东西)，(联系|打给)(客服|{courier})(也|都)(没人管|没结果)",
        "(配送费|运费)收了{money}，(还|却)(这么慢|送得这么晚)",
        "(快递|物流)(一周|{days}天)了(还在|还停在)(中转站|分拣中心)，(到底|究竟)什么时候能(到|送到)？",
        "{courier}(态度|)(很差|很凶)，(送晚了|迟到了)(还|反而)(怪我|嫌我)(地址不清楚|下楼慢)",
        "(约的|预约的)(送货|配送)时间是{clock}，(结果|可是)(拖到|推到)了(第二天|晚上十点多)",
        "(送货|配送)(太慢了|慢得离谱)，(菜|东西)(等到|送到)的时候(饭都做完了|都过了饭点)",
        "(发货|出库)(拖了|等了){days}天，(催了|问了)(客服|好几次)(只会|就)说(在安排|尽快)",
    ),
    ("物流配送", "positive"): (
        "(下单|早上下单)后不到{hours}个小时就(送到了|到了)，(速度|配送)(太快了|神速)",
        "{courier}(很|特别)(客气|负责)，(下雨天|大热天)(还|也)(准时|按时)送到了，(辛苦了|谢谢)",
        "(冷冻的|生鲜|){fresh}到的时候(还是冰的|冰袋还没化)，(冷链|包装)做得(很到位|很好)",
        "(包装|打包)(很|特别)(严实|仔细)，(易碎的|鸡蛋|瓶瓶罐罐)(一个|一点)都没(碎|坏)",
        "(物流|快递)(信息|)(更新|跟踪)(及时|很准)，(送货|配送)(上门|到家)(很|)(方便|省心)",
        "(昨晚|前天)下的单，(今天|第二天)(一早|上午)就(收到了|到了)，比(预计|预期)还快",
        "{courier}(还|)(帮忙|主动)把(米和油|大箱子|东西)(搬上楼|送到家门口)，(太|真)(贴心|暖心)了",
    ),
    ("物流配送", "neutral"): (
        "(请问|想问)一下{order}(什么时候|大概几点)(能|)(发货|送到)？",
        "(能不能|可以)(指定|预约)(送货|配送)时间吗？(白天|工作日)家里没人",
        "(建议|希望)(生鲜|冷冻食品)(配送|打包)(多放|加)(点|些)冰袋，(夏天|天热)(容易|怕)化",
        "(我们|我家)(这个|)(小区|片区)(能|)(送|配送)吗？(起送价|运费)是多少？",
        "快递(能不能|可以)(放|送到)(快递柜|驿站|门卫)，(不用|别)(打电话|敲门)，(孩子在睡觉|上班不方便)",
        "(能不能|可以)(改|修改)一下(收货地址|配送地址)？(刚才|刚)(填错了|选错了)",
        "(线上|小程序)下单(能不能|可以)(到店自提|门店自提)吗？(自提点|哪家店)(在哪|可以选吗)",
    ),
    ("会员权益", "negative"): (
        "(消费了|买了){price}的东西，(积分|会员积分)(一直|)(没到账|少了一半|没加上)",
        "(我是|作为){tier}，(生日礼|生日券|会员日折扣)(根本|一直|压根)没(收到|有)",
        "(积分|攒了好久的积分|攒了两年的积分)(说|突然)(清零|过期)就(清零|过期)了，(提前|事先)(也|)没(任何|)通知",
        "(会员|我的会员)等级(莫名其妙|突然|无缘无故)(从{tier}降到了{tier}|被降级了)，(降级规则|降级标准)(谁也说不清|看不懂)",
        "(积分商城|积分兑换)(能换的|里的)东西(少得可怜|全是缺货)，(换|兑)(个|一个){prod}(要|得){points}积分",
        "(会员价|会员折扣)(和|跟)(普通价|原价)(差不多|一样)，(那|)(办会员|充值)(干嘛|有什么用)",
        "(储值卡|会员卡)里的(余额|钱)(不见了|对不上)，(少了|差了){money}",
        "(新人券|入会礼)(注册|入会)后(一直|)(没发|领不到)，(宣传|说)的(入会|新人)(福利|权益)呢？",
        "{tier}的(权益|福利)(越来越少|缩水得厉害)，(免运费|专属折扣)(都|也)(取消了|没了)",
        "(用了|用)(优惠券|满减券)(以后|之后)(就|)不(给|算)积分了？(这是什么规则|哪有这种规则)",
        "(积分|会员积分)(抵现|兑换)(的时候|时)(提示|显示)(系统繁忙|积分不足)，(明明|账户里)(有|显示){points}分",
    ),
    ("会员权益", "positive"): (
        "(升级|升到){tier}了，(权益|福利)(真的|很)(不错|多)，(生日|每月)(还|)(送|有)(券|礼品)",
        "(积分|积分兑换)(很|特别)(实用|方便)，(攒的|用){points}(积分|分)(换了|兑了){prod}",
        "(会员日|会员专享)的(折扣|价格)(很|特别)(给力|划算)，每(次|月)都(等|挑)(会员日|这天)(去|来)(买|囤货)",
        "(生日|生日那天)收到了(会员|)(生日礼|生日券)，(很|特别)(惊喜|暖心)",
        "(积分|积分抵现)(可以|能)(直接|)(抵扣|当钱用)，(这次|)抵了{money}，(开心|很实在)",
        "(储值|充值)(送的|赠送的)(金额|余额)(很|)(实在|划算)，(老会员|会员)(福利|待遇)(确实|)好",
        "{tier}的(免费|专属)(停车|包装|配送|客服通道)(真的|很)(方便|贴心)",
        "(会员价|会员折扣)比(平时|标价)便宜(不少|{money})，(这个|)会员(办得|)值",
    ),
    ("会员权益", "neutral"): (
        "(请问|想问)(积分|会员积分)(多久|什么时候)(过期|清零)？(在哪|哪里)(能|可以)(查|看到)？",
        "(怎么|如何)(才能|)(升级|升到){tier}？(要|需要)(消费|累计)多少？",
        "(积分|会员积分)(能不能|可以)在(门店|线上|小程序)(通用|一起用)吗？",
        "(建议|希望)(积分商城|积分兑换)(多|)(上|加)(点|些)(实用的|日用品|{rc})",
        "换了手机号，(会员账号|积分)(怎么|要怎么)(转过来|迁移)？原来的(号|手机号)是{phone}",
        "(家人|我和老公)的(会员卡|积分)(能不能|可以)(合并|共享)？",
        "(生日礼|生日券)是(生日当天|生日当月)(发|到账)吗？(要|需要)(自己|)(领|手动领)吗？",
        "(储值卡|会员卡)(能不能|可以)(在别的城市|在{city}的店)用？",
    ),
    ("其他", "negative"): (
        "{shop}的(停车场|停车位)(太少|根本找不到位置)，(转了|绕了)(三圈|好几圈)(都没位置|才找到)",
        "(小程序|APP)(老是|一直|又)(闪退|卡死|加载不出来)，(付款|下单)(试了|)(三次|好几次)(都失败|才成功)",
        "{shop}的(卫生间|洗手间)(太脏了|没纸|味道很大)，都没人(打扫|管)",
        "(空调|冷气)(开得太足|太冷|不开)，(逛|在里面待)(一会儿|了十分钟)就(受不了|冻得发抖|一身汗)",
        "(发票|电子发票)(申请|开)了(一个多星期|好几天)(还|都)(没开出来|没收到)",
        "(营业时间|关门时间)(和|跟)(地图上|小程序上)(写的|显示的)(不一样|对不上)，(白跑|跑了)(一趟|个空)",
        "(购物袋|塑料袋)(又|)(收费|要钱)(还|又)(那么|)(薄|不结实)，(没走几步|刚出门)就破了",
        "{shop}(里|)的(货架|通道)(堆满了|放满了)(箱子|杂物)，(推车|婴儿车)(都|)过不去",
        "(自助收银机|自助结账)(老是|经常)(识别不了|出错|卡住)，(还|)(要|得)(等|找)(人来|工作人员)处理",
        "(商品|东西)(种类|品种)(太少|越来越少)，(想买的|常买的){prod}(经常|总是)(缺货|断货)",
        "(小程序|APP)(登录|绑定手机号)(老是|一直)(收不到验证码|报错)，(折腾|弄)了(半天|好久)",
    ),
    ("其他", "positive"): (
        "{shop}(重新装修|装修)后(环境|购物环境)(好多了|很舒服)，(通道|货架)(宽敞|整齐)",
        "(小程序|APP)(更新|改版)(后|以后)(好用多了|很流畅)，(找东西|下单)方便多了",
        "(停车|停车场)(方便|很大)，(还|)(有|提供)(免费|)(充电桩|停车时长)",
        "(母婴室|休息区|寄存柜)(很|特别)(干净|贴心|方便)，(带娃|带孩子)(逛|来)(很|特别)(方便|省心)",
        "(总体|整体)(来说|)(还是|挺)满意的，离(家|我家)(近|很近)，东西(也|)(齐全|挺全)",
        "(电子发票|开发票)(很|特别)(方便|快)，(扫码|在小程序上)就(能|可以)(开|申请)",
        "新开的{store}(很|挺)(大|漂亮)，(终于|总算)不用(跑|去)(那么远|市区)了",
        "(店里|{shop})(干净整洁|灯光明亮)，(逛起来|购物)(很|特别)舒服",
    ),
    ("其他", "neutral"): (
        "(请问|想问)(你们|)(在{city}|我们这边)(什么时候|会不会)开(新店|门店)？",
        "{shop}的营业时间是几点到几点？(节假日|春节)(营业吗|正常营业吗)？",
        "(建议|希望)(门口|店里)(增加|多设)(一些|几个)(休息座椅|充电宝租借|寄存柜)",
        "(电子发票|发票)(怎么|在哪里)(开|申请)？(抬头|税号)(能不能|可以)(改|修改)？",
        "(小程序|APP)(能不能|可以)(加|增加)(一个|)(夜间模式|按价格排序|大字版)(功能|)？",
        "(请问|想问)(可以|能)(带宠物|推宠物车)进店吗？",
        "(店里|门口)的(无障碍通道|坡道)在哪里？(推轮椅|推婴儿车)(不太方便|找不到)",
        "(能不能|可以)(开|办)(企业|单位)(采购|团购)？(量|数量)(比较|挺)大",
    ),
}

# messages whose wording borrows heavily from a neighbouring category (real feedback overlaps): the label is
# the issue the service desk routes, not the loudest keyword
_OVERLAP: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("产品质量", "negative"): (("物流配送", "快递送来的{prod}{bad}，(外箱|包装)(倒是|)好好的，(肯定|应该)是(出厂|本身)的问题"),
                           ("营销活动", "(会员日|活动)(买的|抢的)特价{prod}{bad}，(便宜|打折)(没好货|就这质量)"),
                           ("会员权益", "用积分(兑的|换的){prod}{bad}，(积分商城|兑换)的东西(也|就)这质量？")),
    ("产品质量", "neutral"): (("营销活动", "(活动|特价)的{prod}(和|跟)(正价|平时)的是一样的(品质|批次)吗？"),),
    ("产品质量", "positive"): (("营销活动", "(活动|会员日)(买的|囤的){prod}{good}，(不是|并不是)(处理货|清仓货)"),),
    ("服务态度", "negative"): (("会员权益", "(问|找){staff}(积分|会员价)怎么(算|用)，(对方|她|他)(说|回)(不知道|自己看小程序)，(态度|语气)(很|特别)(差|冲)"),
                           ("物流配送", "客服说(快递|配送)的事(不归他们管|找物流去)，(推来推去|踢皮球)(半天|一下午)"),
                           ("会员权益", "{staff}(硬要|非要)(推销|让我办)(储值卡|会员卡)，(不办|拒绝了)(就|)(甩脸色|翻白眼)")),
    ("服务态度", "positive"): (("营销活动", "{staff}(主动|还)(提醒|告诉)我(有券可以用|会员日更划算|积分可以抵现)，(太贴心了|很实在|很贴心)"),),
    ("营销活动", "negative"): (("会员权益", "(会员日|会员专享)的(活动价|特价)(比|竟然比)(会员价|平时)还(高|贵)，(这|)(活动|促销)(有什么意义|搞笑呢)"),
                           ("会员权益", "(积分兑的|签到领的)(优惠券|满减券)(活动|结账)(时|的时候)(用不了|不能叠加)，(活动规则|说明)(写得|)(不清不楚|太模糊|不明不白)"),
                           ("物流配送", "(买一送一|满赠)的赠品(一直|)(没发货|没送来)，(问|催)(客服|物流)(都|也)说(不知道|在安排)")),
    ("营销活动", "neutral"): (("会员权益", "(会员|金卡会员)(有没有|是不是有)(专属|额外)的(活动|券)？(这次|周年庆)的(满减|折扣)(会员|)(能|)(多享|叠加)吗？"),),
    ("物流配送", "negative"): (("服务态度", "{courier}(态度|说话)(特别|很)(差|冲)，(东西|包裹)(送晚了|晚了两个小时)(还|反而)(甩脸色|骂人)"),
                           ("营销活动", "(用了|为了用)(满减券|运费券)(下的单|凑的单)，(结果|)(等了|拖了){days}天(才|都没)(发货|送到)"),
                           ("产品质量", "(买的|)(生鲜|冷冻的){fresh}(路上|配送)(耽误了|拖了)(太久|一整天)，到手(都|已经){bad}")),
    ("物流配送", "neutral"): (("会员权益", "(会员|{tier})(有没有|是不是)(免运费|免费配送)？(配送|送货)(范围|距离)(是|)多少？"),),
    ("会员权益", "negative"): (("营销活动", "(活动|周年庆)(期间|的时候)(买的|消费的)(积分|双倍积分)(一直|)(没到账|没加)，(活动|宣传)(说好的|写的)(双倍|翻倍)呢？"),
                           ("服务态度", "(问|找){staff}(积分|会员等级)的事，(对方|她|他)(也|)(说不清楚|不耐烦)，(积分|等级)(到现在|至今)(都|还)(没|没有)(补|恢复)"),
                           ("营销活动", "(会员|积分)(兑换|兑)的(优惠券|满减券)(过期|失效)了(也|都)(不提醒|没通知)，(白攒了|浪费了){points}积分")),
    ("会员权益", "positive"): (("营销活动", "(会员日|会员专享)(活动|)(的券|的积分)(很|特别)(实在|给力)，(积分|会员)(真的|确实)(有用|值)"),),
    ("其他", "negative"): (("会员权益", "(小程序|APP)(里|上)的(积分|会员)页面(一直|老是)(打不开|白屏)，(券|积分)(都|也)(看不到|用不了)"),
                         ("营销活动", "(小程序|APP)(领券|抢券)(的时候|时)(一直|老是)(报错|卡死)，(活动|券)(都|也)(结束了|抢完了)"),
                         ("物流配送", "{shop}(门口|附近)(没有|找不到)(停车位|车位)，(快递|外卖)(车|电动车)(堵|停)(满了|一排)")),
    ("其他", "neutral"): (("会员权益", "(小程序|APP)(能不能|可以)把(积分|优惠券)(入口|页面)(放|做)(得|)(明显|显眼)(点|一些)？"),),
    ("其他", "positive"): (("会员权益", "(小程序|APP)(查积分|领券|看订单)(很|特别)(方便|顺手)，(界面|页面)(也|)(清爽|简洁)"),),
}

# sarcastic or understated complaints: negative meaning, positive-looking words
_SARCASM = ("(真是|可真是|还真是)“(贴心|靠谱|省心|高效)”啊", "(谢谢|感谢)你们(让我|)(白跑一趟|等了这么久|又上了一课)",
            "好评，好到(下次|再也)不想来了", "(服务|体验)(真|可真)(好|棒)(啊|呢)，(呵呵|哈哈)", "(不愧是|真不愧是)你们")

#: per (category, polarity): the overlap templates it may use — its own plus those of neighbours that borrow its
#: words — so the same wording carries either label (irreducible, as in real routing)
_SHARED: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
for (_cat, _pol), _items in _OVERLAP.items():
    for _borrowed, _tpl in _items:
        _SHARED[(_cat, _pol)] = (*_SHARED.get((_cat, _pol), ()), (_borrowed, _tpl))
        _SHARED[(_borrowed, _pol)] = (*_SHARED.get((_borrowed, _pol), ()), (_cat, _tpl))

# short clauses: bare messages and the "second issue" of mixed messages
_CLAUSE: dict[tuple[str, str], tuple[str, ...]] = {
    ("产品质量", "negative"): ("东西质量太差", "{prod}{bad}", "质量不行", "东西是坏的", "有异味", "不新鲜",
                           "质量一言难尽", "买到过期的了", "{prod}有质量问题", "东西{bad}"),
    ("产品质量", "positive"): ("东西(很|挺)好", "质量不错", "{prod}{good}", "东西很新鲜", "品质好", "好吃", "好用",
                           "东西{good}", "{prod}质量没得说"),
    ("产品质量", "neutral"): ("{prod}保质期多久", "是正品吗", "能看质检报告吗", "{prod}怎么保存", "{prod}是哪里产的"),
    ("服务态度", "negative"): ("态度差", "{staff}态度太差", "店员爱答不理", "客服不回消息", "服务太差",
                           "{staff}很不耐烦", "客服电话打不通"),
    ("服务态度", "positive"): ("服务好", "{staff}很热情", "小姐姐好耐心", "客服很贴心", "服务态度没得说",
                           "{staff}人很好"),
    ("服务态度", "neutral"): ("客服几点上班", "能投诉员工吗", "建议多开收银台", "人工客服怎么转"),
    ("营销活动", "negative"): ("券用不了", "活动是骗人的", "满减没减", "假打折", "短信太多了", "价格标签不对",
                           "赠品没给", "优惠券领不了"),
    ("营销活动", "positive"): ("活动给力", "优惠力度大", "券很好用", "划算", "赠品不错", "满减很实在"),
    ("营销活动", "neutral"): ("活动什么时候开始", "券能叠加吗", "有没有满减", "赠品怎么领"),
    ("物流配送", "negative"): ("太慢了", "快递太慢", "还没到", "送错了", "配送太慢", "{courier}不打电话",
                           "包装破了", "物流不更新", "送货太慢"),
    ("物流配送", "positive"): ("送货快", "配送神速", "{courier}很辛苦", "物流很快", "包装仔细", "送货上门很方便"),
    ("物流配送", "neutral"): ("几点送到", "能自提吗", "能改地址吗", "什么时候发货", "运费多少"),
    ("会员权益", "negative"): ("积分没到账", "积分被清零了", "怎么降级了", "生日礼没收到", "会员价没用",
                           "积分少了", "储值卡余额不对"),
    ("会员权益", "positive"): ("积分好用", "生日礼收到啦", "会员价划算", "升{tier}了", "会员日真香", "积分换了好东西"),
    ("会员权益", "neutral"): ("积分怎么查", "怎么升级", "积分什么时候过期", "会员卡能共用吗"),
    ("其他", "negative"): ("闪退", "没车位", "小程序太卡", "厕所太脏", "空调太冷", "发票开不出来", "APP登不上"),
    ("其他", "positive"): ("环境不错", "停车方便", "小程序好用", "离家近", "店里很干净"),
    ("其他", "neutral"): ("几点关门", "能开发票吗", "什么时候开新店", "能带宠物吗", "有停车位吗"),
}

#: category-free short messages (the irreducible noise of real feedback)
_GENERIC: dict[str, tuple[str, ...]] = {
    "negative": ("差评", "差评！", "失望", "无语", "不满意", "垃圾", "体验很差", "太差了", "非常不满意", "呵呵"),
    "positive": ("好评", "好评👍", "满意", "不错不错", "很好", "点赞", "五星", "棒", "非常满意", "好"),
    "neutral": ("一般", "还行吧", "中规中矩", "在吗", "有人吗", "嗯", "还可以", "一般般", "凑合", "没什么意见"),
}

# concrete details that make a message specific
_DETAIL: dict[str, tuple[str, ...]] = {
    "产品质量": ("(小票|照片|视频)都(还|)留着", "{order}", "(批次号|生产日期)(是|)(2025年|2024年)(3|5|8|11)月的",
             "(一共|)(花了|付了){price}", "是在{place}买的"),
    "服务态度": ("(时间|)大概是{clock}", "(工号|胸牌)(好像是|是){wid}", "(当时|)(旁边|后面)还有(好几个|很多)顾客看着",
             "是{shop}的{staff}"),
    "营销活动": ("(活动|)(页面|海报)(我|)(截图了|有截图)", "(活动|)(是|)在{place}看到的", "(一共|)(买了|付了){price}",
             "{order}"),
    "物流配送": ("{order}", "(快递|)单号尾号{d4}", "地址(写得|填得)(很|)清楚", "(下单|付款)时间是{time}"),
    "会员权益": ("(会员卡号|卡号)尾号{d4}", "(我的|)(会员|)(手机号|手机)是{phone}", "(账户|卡)里(还有|有){points}积分",
             "(我是|作为){tier}"),
    "其他": ("(手机|)(是|)(安卓|苹果)的", "(时间|)(是|)({time}|{clock})", "(在|是){place}"),
}
_DETAIL_ANY = ("(已经|都)是(第二次|第三次|第N次)了", "(我|)在你们家(买了|消费)(好几年|三年多|很久)了",
               "(我是|作为){tier}", "{time}的事", "(我|)(在|住在){city}")

#: background of long messages: who writes and why (category-neutral on purpose)
_STORY = ("(我|我们家)(每周|基本每周|经常)都(在|去){shop}(买东西|买菜|囤货)", "(为了|赶着)(给孩子过生日|家里来客人|过节)(特意|专门)(下的单|去买的)",
          "(本来|原本)(挺|还挺)(喜欢|信任)你们家的", "(我|我妈)(是|算是)你们的老顾客了，(办卡|注册)(都|有)(好几年|三四年)了",
          "(平时|一般)(都是|都)(在小程序上|在线上商城)(下单|买)", "{time}(带孩子|和家人|下班)(去|顺路去)了{shop}",
          "(跟|和)(朋友|同事)(一起|拼单)(买|下单)的", "(我|我们家)(一直|平时)(买|用){brand}(家|)的东西", "(我|本人)(不太|很少)(写|给)(评价|反馈)")

_CLOSE: dict[str, tuple[str, ...]] = {
    "negative": ("(希望|请|麻烦)(尽快|马上)(处理|给个说法|回复)", "(不然|否则)(我就|就)(打12315|投诉到消协|去网上曝光)",
                 "(太|真)(失望|寒心)了", "(以后不来了|以后不会再买了|再也不来了|再也不会买了)", "(给我|麻烦给)(一个|)(合理的|)解释",
                 "差评", "要求(退款|退货|赔偿)", "(请|)(认真|好好)(反思|整改)一下", "(等你们的|等)(回复|处理结果)",
                 "(体验|感受)(极差|太差了)"),
    "positive": ("(下次|以后)(还来|还会再买|继续支持)", "(推荐给|已经推荐给)(朋友|同事|家人)了", "(五星|)好评",
                 "(谢谢|感谢)(你们|)", "(继续|)(加油|保持)", "(给你们|)点(个|)赞", "爱了爱了", "yyds",
                 "(会|)一直支持", "(希望|祝)(越办越好|越做越好|生意兴隆)"),
    "neutral": ("(谢谢|多谢)", "(麻烦|辛苦)(回复一下|解答一下)", "(期待|等)(回复|答复)", "先谢过", "(盼复|望采纳)",
                "(有空|方便的话)回个电话{phone}", "(谢谢，|)(辛苦了|有劳了)", "(希望|)(能|)考虑一下", "(方便|)(回复|回)一下吧"),
}
_CLOSE_CAT: dict[tuple[str, str], tuple[str, ...]] = {
    ("产品质量", "negative"): ("(要求|申请)(退货退款|换货)", "(请|)(把|)这批货(下架|查一查)", "(出了问题|吃出问题|用出问题)谁负责？"),
    ("服务态度", "negative"): ("(希望|请)(对|给)(这个|该)(员工|店员)(批评教育|好好培训一下)", "(要|必须)(给我|)道歉",
                           "(请|)店长(管一管|重视一下)"),
    ("营销活动", "negative"): ("(把|)差价(退给我|补给我)", "(别|不要)再(搞|玩)这种套路了", "(请|)(兑现|履行)(活动|)承诺"),
    ("物流配送", "negative"): ("(换个|别再用这家)(快递|配送)", "(尽快|赶紧)(补发|重新送)", "(运费|配送费)(退给我|得退)"),
    ("会员权益", "negative"): ("(把|)积分(补回来|加上)", "恢复我的会员等级", "(把|)(余额|钱)(退回来|补上)"),
    ("其他", "negative"): ("(赶紧|尽快)(修复|修一下)", "(请|)(管理层|店长)(重视一下|管一管)", "(尽快|早点)(改进|整改)"),
    ("产品质量", "positive"): ("(会|)(继续|)回购", "品质(保持住|要保持)"),
    ("服务态度", "positive"): ("(建议|希望)(给|)(这位|她|他)(加薪|发奖金)", "(这样的|)员工(要|)(表扬|奖励)"),
    ("营销活动", "positive"): ("(多搞|多来)(点|几次)这种活动", "(下次活动|有活动)(还来|还会来)"),
    ("物流配送", "positive"): ("{courier}辛苦了", "(配送|速度)(给|)(满分|五星)"),
    ("会员权益", "positive"): ("会员(办得|)(值|超值)", "(继续|)攒积分"),
    ("其他", "positive"): ("(常来|会常来)", "(环境|体验)(满分|很好)"),
}

_EMOJI = {
    "negative": ("😡", "💢", "😤", "😭", "😓", "🙄", "👎", "😠", "🤬", "😞", "😒", "[怒]", "[生气]"),
    "positive": ("👍", "😊", "🙏", "❤️", "😄", "🥰", "💯", "🌟", "😁", "👏", "🎉", "[赞]", "[爱心]"),
    "neutral": ("🙏", "😊", "🤔", "😅", "🙂", "❓", "[疑问]", "[抱拳]"),
}

_SLANG = {
    "negative": ("无语子", "离大谱", "栓Q", "wtf", "我tm", "服了", "绝了"),
    "positive": ("yyds", "nb", "NB", "tql", "绝绝子", "赞赞赞", "666"),
    "neutral": ("bzd", "dbq", "hhh", "emmm", "求回"),
}

_PARTICLES = ("啊", "呢", "吧", "啦", "哈", "呀", "哦", "嘛")

# homophone / shape slips seen in real typing
_TYPOS = (("的", "得"), ("得", "的"), ("地", "的"), ("在", "再"), ("再", "在"), ("已", "己"), ("那", "哪"),
          ("做", "作"), ("账", "帐"), ("像", "象"), ("吗", "嘛"), ("到", "道"), ("买", "卖"), ("以后", "已后"),
          ("一下", "一哈"), ("怎么", "咋"), ("什么", "啥"), ("这么", "这莫"))

_TERMINAL = "。！？!?.~…"
_END = {
    "negative": ("！", "。", "！", "!", "。", "！！", "", "…"),
    "positive": ("！", "。", "~", "！", "!", "", "～", "。"),
    "neutral": ("。", "。", "", "~", ".", "。"),
}
_BARE_END = {"negative": ("！！！", "？？", "。。。", "!!", ""), "positive": ("！！", "~~", "", "👍")}
_HALF = str.maketrans({"，": ",", "！": "!", "？": "?", "：": ":"})


# ---------------------------------------------------------------------------------------------------------------
# assembly
# ---------------------------------------------------------------------------------------------------------------


def _expand(tree: list, d: _Dice, c: _Ctx, out: list[str]) -> None:
    for node in tree:
        kind = node[0]
        if kind == "L":
            out.append(node[1])
        elif kind == "S":
            out.append(_SLOTS[node[1]](d, c))
        elif kind == "C":
            _expand(d.pick(node[1]), d, c, out)
        elif d.u() < 0.5:  # "O"
            _expand(node[1], d, c, out)


def _render(template: str, d: _Dice, c: _Ctx) -> str:
    out: list[str] = []
    _expand(_compiled(template), d, c, out)
    return "".join(out)


_JOIN = "\x00"  # marks a part that runs straight into the next one (a connector such as "，但是")


def _end(part: str, polarity: str, d: _Dice, final: bool) -> str:
    """Terminate a clause: keep its own ？/！, otherwise add a comma or a sentence end."""
    if part.endswith(_JOIN):
        return part[:-1]
    if not part or part[-1] in _TERMINAL or part[-1] in "，,、：:":
        return part
    if d.chance(0.12) and part[-1] not in "啊呢吧啦哈呀哦嘛了":
        part += d.pick(_PARTICLES)
    if final:
        return part + d.pick(_END[polarity])
    return part + d.weighted(("，", "。", "！", " ", ","), (5, 3, 1 if polarity == "negative" else 0.2, 0.5, 0.5))


_OTHERS = {cat: tuple(o for o in CATEGORIES if o != cat) for cat in CATEGORIES}


def _side(d: _Dice, c: _Ctx, cat: str, pol: str, full: bool) -> str:
    """A statement about another issue, rendered with its own product state (the main one is kept)."""
    saved, c.state = c.state, {}
    text = _render(d.pick(_CORE[(cat, pol)] if full else _CLAUSE[(cat, pol)]), d, c)
    c.state = saved
    return text


def _framing(d: _Dice, pol: str) -> str:
    """Polarity of the opening / closing: usually the message's own, sometimes a polite neutral frame."""
    if pol != "neutral" and d.chance(0.2):
        return "neutral"
    if pol == "neutral" and d.chance(0.06):
        return d.pick(("negative", "positive"))
    return pol


#: share of each polarity written in the "mild" register shared by two polarities (polarity is then ambiguous)
_MILD_RATE = {"negative": 0.08, "neutral": 0.18, "positive": 0.08}
_MILD_CLOSE = ("希望改进一下", "建议注意一下", "麻烦看看", "下次注意吧", "希望重视", "希望能改改", "反馈一下", "仅供参考")


def _mild(d: _Dice, c: _Ctx, cat: str, pol: str) -> str:
    """A polite remark whose wording neutral and (negative or positive) messages share."""
    lean = pol if pol != "neutral" else d.pick(("negative", "negative", "positive"))
    parts = []
    if d.chance(0.5):
        parts.append(d.pick(OPENINGS["neutral"]))
    if lean == "negative":
        parts.append(d.pick(("感觉", "觉得", "发现", "")) + _render(d.pick(_CLAUSE[(cat, "negative")]), d, c))
        parts.append(d.pick(_MILD_CLOSE))
    else:
        parts.append(_render(d.pick(_CLAUSE[(cat, "positive")]), d, c))
        parts.append(d.pick(("想问一下", "顺便问下", "另外", "就是想问", "")) + _render(
            d.pick(_CLAUSE[(cat, "neutral")]), d, c) + "？")
    if d.chance(0.4):
        parts.append(d.pick(("谢谢", "辛苦了", "感谢")))
    return "".join(_end(p, "neutral", d, i == len(parts) - 1) for i, p in enumerate(parts))


def _message(d: _Dice, c: _Ctx, cat: str, pol: str) -> str:
    c.state = {}
    shape = d.weighted(("generic", "mild", "bare", "one", "medium", "long"),
                       (0.055, _MILD_RATE[pol], 0.075, 0.22, 0.40, 0.25))
    if shape == "generic":
        return d.pick(_GENERIC[pol])
    if shape == "mild":
        return _mild(d, c, cat, pol)
    if shape == "bare":
        text = _render(d.pick(_CLAUSE[(cat, pol)]), d, c)
        return text + d.pick(_END[pol] + _BARE_END.get(pol, ()))

    parts: list[str] = []
    frame = _framing(d, pol)  # polarity of opening and closing (a polite complaint opens and closes neutrally)
    if shape == "long" or d.chance(0.35 if shape == "medium" else 0.12):
        parts.append(d.pick(OPENINGS[frame]))
    key = (cat, pol)
    shared = _SHARED.get(key, ())
    core = _render(d.pick(shared)[1] if shared and d.chance(0.3) else d.pick(_CORE[key]), d, c)
    if pol != "neutral" and shape != "one" and d.chance(0.2):
        core = d.pick(_TIMES) + d.pick(("，", "", "在" + _slot_venue(d, c, _PLACE_CUTS) + "，")) + core
    sarcastic = pol == "negative" and frame == "negative" and d.chance(0.08)
    if sarcastic:
        parts.append(_render(d.pick(_SARCASM), d, c))

    # a second issue from another category: before the core (contrast) or after it (addition). The labelled
    # category stays the main issue, so other categories' words appear in a good share of the messages.
    second = None
    if shape != "one" and d.chance(0.3 if shape == "medium" else 0.5):
        other = d.pick(_OTHERS[cat])
        full = d.chance(0.35)
        if pol == "negative":
            if d.chance(0.5) and not sarcastic:
                parts.append(_side(d, c, other, "positive", full)
                             + d.pick(("，但是", "，可是", "，就是", "，不过", "，但", "。但是")) + _JOIN)
            else:
                second = d.pick(("而且", "还有", "另外", "再说", "更气的是")) + _side(d, c, other, "negative", full)
        elif pol == "positive":
            if d.chance(0.45):
                second = d.pick(("唯一不足的是", "就是", "美中不足的是", "要说缺点就是", "不过")) + _side(
                    d, c, other, "negative", False)
            else:
                second = d.pick(("而且", "另外", "还有", "顺便说一句")) + _side(d, c, other, "positive", full)
        else:
            second = d.pick(("另外", "还有", "顺便问一下", "对了", "另外想问")) + "，" + _side(
                d, c, other, "neutral", full)
            if second[-1] not in "？。":
                second += d.pick(("？", "？", "。"))
    if shape == "long" and d.chance(0.55):
        parts.append(_render(d.pick(_STORY), d, c))
    parts.append(core)
    if shape == "long" or (shape == "medium" and d.chance(0.3)):
        pool = _DETAIL[cat] if d.chance(0.7) else _DETAIL_ANY
        parts.append(_render(d.pick(pool), d, c))
    if shape == "long" and d.chance(0.4):
        parts.append(_render(d.pick(_CORE[(cat, pol)]), d, c))  # a second sentence on the same issue
    if second:
        parts.append(second)
    if shape == "long" or (shape == "medium" and d.chance(0.55)) or (shape == "one" and d.chance(0.15)):
        key = (cat, frame)
        if key in _CLOSE_CAT and d.chance(0.4):
            parts.append(_render(d.pick(_CLOSE_CAT[key]), d, c))
        else:
            parts.append(_render(d.pick(_CLOSE[frame]), d, c))
    pieces = [_end(p, pol, d, i == len(parts) - 1) for i, p in enumerate(parts)]
    text = "".join(pieces)
    if len(text) > 160:  # keep messages to a realistic length: drop the middle
        text = "".join(pieces[:1] + pieces[-2:]) if len(pieces) > 3 else text[:160]
    return text


_Q_DOUBLE = re.compile(r"(能不能|可不可以|是不是|有没有)([^，。！？,!?]*?)吗([？?])")
_Q_SENT = re.compile(r"[^，。！？,!?]*[？?]")
_Q_WORDS = re.compile(r"吗|呢|么|多少|几|哪|怎|什么|谁|是否|能不能|可不可以|有没有|是不是")


def _tidy_questions(text: str) -> str:
    """"能不能…吗？" → "能不能…？"; a yes/no question "可以…？" gets its "吗"."""
    text = _Q_DOUBLE.sub(r"\1\2\3", text)

    def fix(m: re.Match) -> str:
        q = m.group(0)
        if ("可以" in q or "能" in q) and not _Q_WORDS.search(q):
            return q[:-1] + "吗" + q[-1]
        return q

    return _Q_SENT.sub(fix, text)


def _roughen(text: str, pol: str, d: _Dice) -> str:
    """Typing noise: slips, shorthand, particles, emoji, repeated or half-width punctuation."""
    if d.chance(0.07):  # homophone slip
        for _ in range(3):
            a, b = d.pick(_TYPOS)
            i = text.find(a)
            if i >= 0:
                text = text[:i] + b + text[i + len(a):]
                break
    if d.chance(0.04):
        s = d.pick(_SLANG[pol])
        text = s + d.pick(("，", " ", "！", "")) + text if d.chance(0.4) else text + d.pick(("", " ")) + s
    if len(text) > 1 and text[-1] in "。！!" and d.chance(0.12):
        text = text[:-1] + d.pick(("！！！", "!!!", "！！", "。。。", "...", "？？", "！？")
                                  if pol == "negative" else ("！！", "!!", "~~", "。。。", "..."))
    elif len(text) > 1 and text[-1] in "？?" and d.chance(0.2):
        text = text[:-1] + d.pick(("？？", "??", "？？？", "。。"))
    if d.chance(0.13):
        e = d.pick(_EMOJI[pol])
        if d.chance(0.25):
            e *= d.int(2, 3)
        text = e + text if d.chance(0.1) else text + e
    if d.chance(0.12):
        text = text.translate(_HALF)
    if d.chance(0.03):
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if d.chance(0.02):
        text = " " + text if d.chance(0.5) else text + " "
    return text


def feedback_texts(
    rng: np.random.Generator,
    categories: Sequence[str],
    polarities: Sequence[str],
    context: dict | None = None,
) -> list[str]:
    """One synthetic member message per ``(category, polarity)`` pair.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness; the same state gives the same texts.
    categories : sequence of str
        Each one of ``CATEGORIES`` (产品质量, 服务态度, 营销活动, 物流配送, 会员权益, 其他) — the main issue.
    polarities : sequence of str
        Each one of ``"negative"``, ``"neutral"``, ``"positive"``; same length as ``categories``.
    context : dict, optional
        Lexicon overrides: ``"products"`` (list of names, list of ``(name, retail_category)`` pairs, or a mapping
        retail category → names), ``"brands"`` (a mapping retail category → names, used as product prefixes, or a
        plain list, used only where a brand stands alone), ``"stores"``, ``"cities"``, ``"tiers"`` (lists of str).
        Missing keys fall back to built-in fictional names.

    Returns
    -------
    list of str, same length as the inputs.
    """
    if len(categories) != len(polarities):
        raise ValueError(f"categories ({len(categories)}) and polarities ({len(polarities)}) differ in length")
    bad_c = set(categories) - set(CATEGORIES)
    if bad_c:
        raise ValueError(f"unknown categories {sorted(bad_c)}; expected {CATEGORIES}")
    bad_p = set(polarities) - set(POLARITIES)
    if bad_p:
        raise ValueError(f"unknown polarities {sorted(bad_p)}; expected {POLARITIES}")
    d = _Dice(rng)
    c = _Ctx(context)
    return [_roughen(_tidy_questions(_message(d, c, cat, pol)), pol, d)
            for cat, pol in zip(categories, polarities, strict=True)]
