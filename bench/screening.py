# ruff: noqa: RUF001
"""Screening benchmark: Liaison against nomenklatura's logic-v1 and logic-v2 on the real lists.

Run with `python bench/screening.py` (options: `--positives 1000 --negatives 2000 --seed 1`).
Two stages, as yente screens: the same candidate stage for every system (Liaison's
`CandidateIndex` over all listed entities and its shortlist: 25 of the index's best 200 per
query, as `liaison screen` and `/match` take them), then each system scores those candidates;
a query hits an entity scoring at least 0.7.

Positives are listed names re-spelt as real data varies them (typos, other scripts, reordered
or dropped parts, initials; birth dates given as the year or a day off), each variant labelled
by category. A positive counts as found when any entity listed under the original name is hit,
so a person on two lists is found through either. Negatives are unlisted people with names
from twelve naming cultures, some in their own script; one whose folded name (or its tokens
reordered) is a listed name, or a listed person's name with one middle part dropped (which the
positives count as that person), is drawn again. Prints one table with ratios against logic-v2 and
writes the same numbers, plus Liaison's misses and every system's false positives, to
bench/out/screening.json.

Latency is per query: the shared candidate stage plus that system's scoring of the 25. All run in
one process, so the lists and logic-v2's reference data are frozen out of the garbage collector
once loaded (as a long-running service would); collections during scoring are still counted.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import resource
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import icu
import numpy as np
from followthemoney import model
from followthemoney.proxy import EntityProxy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from liaison.ingest import read  # noqa: E402
from liaison.matching.index import CandidateIndex  # noqa: E402
from liaison.matching.model import score_pair  # noqa: E402
from liaison.matching.record import MatchRecord, record_from_entity  # noqa: E402
from liaison.matching.shortlist import candidates_for  # noqa: E402

SHARED = ROOT / "data"
LISTS = (
    ("un-xml", "un", SHARED / "watchlists/un/un_consolidated_2026-02-27.xml.gz"),
    ("ofac", "ofac", SHARED / "watchlists/ofac_sdn_2024/sdn.csv.gz"),
    ("uk", "uk", SHARED / "watchlists/uk"),
)
KEEP = frozenset({"Person", "Organization", "Company", "LegalEntity", "Vessel"})
NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
# Variants start from strong names only: a weak alias ("Abu Ali") is no one's name of record.
PICK_PROPS = ("name", "alias")
GIVEN_PROPS = ("firstName", "middleName")
THRESHOLD = 0.7
LIMIT = 25
SYSTEMS = ("Liaison", "logic-v1", "logic-v2")
OUT = ROOT / "bench" / "out" / "screening.json"


def _words(text: str) -> tuple[str, ...]:
    """A pool of names written as one space-separated string."""
    return tuple(text.split())


# Name pools: (given, family). Latin pools keep their diacritics as they appear in documents.
CULTURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "arabic": (
        _words(
            "Mohammed Ahmed Ali Omar Khalid Youssef Ibrahim Hassan Hussein Mahmoud Mustafa Abdullah "
            "Abdulrahman Karim Tariq Samir Walid Nabil Faisal Hamza Bilal Rami Ziad Majid Saeed "
            "Fatima Aisha Maryam Layla Noor Huda Salma Rania Amira Yasmin Zainab Khadija Mona Dalia "
            "Hana"
        ),
        _words(
            "Al-Masri Haddad Khoury Nasser Saleh Mansour Hamdan Qasim Al-Rashid Al-Tamimi Al-Shammari "
            "Al-Harbi Al-Qahtani Al-Zahrani Abboud Darwish Jaber Khalil Barakat Suleiman Yassin "
            "Abdelaziz Ghanem Farouk Haidar Issa Najjar Sabbagh Tahan Zaidan Bakr El-Sayed Hijazi "
            "Aziz Shalabi Atallah Kanaan Obeid Rahal Sharif"
        ),
    ),
    "russian-ukrainian": (
        _words(
            "Aleksandr Oleksandr Dmitry Dmytro Sergei Serhiy Andrei Andriy Mikhail Mykhailo Ivan "
            "Nikolai Mykola Vladimir Volodymyr Alexei Yuriy Pavel Pavlo Viktor Igor Oleg Anatoliy "
            "Bogdan Taras Olga Natalia Tetiana Tatiana Irina Iryna Svetlana Elena Olena Anastasia "
            "Yulia Oksana Ekaterina Kateryna Lyudmila"
        ),
        _words(
            "Ivanov Petrov Sidorov Smirnov Kuznetsov Popov Sokolov Lebedev Kozlov Novikov Morozov "
            "Volkov Solovyov Vasiliev Zaitsev Pavlov Semenov Golubev Vinogradov Bogdanov Shevchenko "
            "Kovalenko Bondarenko Tkachenko Kravchenko Oliynyk Shevchuk Polishchuk Lysenko Marchenko "
            "Rudenko Savchenko Petrenko Moroz Melnyk Boyko Kovalchuk Tkachuk Hrytsenko Zhuk"
        ),
    ),
    "chinese": (
        _words(
            "Wei Fang Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Tao Ming Chao Xiuying Xia Ping Gang "
            "Hui Xiaoming Jianguo Jianhua Guoqiang Haiyan Lijuan Hongmei Zhiwei Yufei Zihan Haoran "
            "Yuxuan Xinyi Zhiqiang Chunhua Dongmei Wenjie Jiahui Shuang Kai"
        ),
        _words(
            "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo Zheng "
            "Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du"
        ),
    ),
    "spanish-portuguese": (
        _words(
            "José Juan Carlos Luis Miguel Javier Alejandro Fernando Diego Pablo Andrés Jorge Ricardo "
            "Rafael Manuel João Pedro Paulo Tiago Rodrigo María Carmen Ana Lucía Isabel Sofía "
            "Valentina Camila Gabriela Daniela Mariana Beatriz Fernanda Juliana Patrícia Rosa Elena "
            "Teresa Inês Leonor"
        ),
        _words(
            "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores "
            "Rivera Gómez Díaz Reyes Morales Jiménez Ruiz Álvarez Romero Silva Santos Oliveira Souza "
            "Pereira Costa Ferreira Almeida Carvalho Ribeiro Gomes Martins Araújo Barbosa Rocha "
            "Castro Mendes Nunes Vargas Ortega"
        ),
    ),
    "west-african": (
        _words(
            "Chinedu Ngozi Oluwaseun Adebayo Emeka Chiamaka Kwame Kofi Ama Yaw Abena Akosua Kwabena "
            "Efua Oluwafemi Babatunde Funmilayo Folake Ifeanyi Nnamdi Obinna Uchenna Chukwuma Adaeze "
            "Aminata Mamadou Moussa Ousmane Fatoumata Awa Ibrahima Seydou Boubacar Aissatou Mariama "
            "Abdoulaye Yaa Kojo Amadou Binta"
        ),
        _words(
            "Okafor Okeke Eze Nwosu Adeyemi Adeleke Balogun Ogunleye Olawale Afolabi Mensah Boateng "
            "Owusu Asante Appiah Osei Agyeman Acheampong Diallo Traoré Keita Coulibaly Touré Camara "
            "Sow Ba Ndiaye Diop Fall Sy Cissé Konaté Sissoko Bamba Ouattara Koné Obi Chukwu Nwachukwu "
            "Danjuma"
        ),
    ),
    "south-asian": (
        _words(
            "Rahul Amit Rajesh Suresh Vijay Sanjay Anil Sunil Ravi Arjun Vikram Rohan Karan Aditya "
            "Imran Asif Harpreet Gurpreet Manpreet Sandeep Pradeep Mahesh Ganesh Srinivas Venkatesh "
            "Nikhil Priya Anjali Sunita Pooja Neha Kavita Deepa Lakshmi Meera Shreya Nazia Farhana "
            "Rukhsana Shabnam"
        ),
        _words(
            "Sharma Verma Gupta Singh Kumar Patel Shah Mehta Joshi Iyer Nair Menon Reddy Rao Naidu "
            "Pillai Chatterjee Banerjee Mukherjee Das Bose Ghosh Sen Kapoor Malhotra Khanna Chopra "
            "Bhatia Sethi Gill Sandhu Dhillon Chaudhry Qureshi Siddiqui Ansari Hussain Rahman "
            "Chowdhury Mishra"
        ),
    ),
    "english": (
        _words(
            "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel "
            "Matthew Anthony Mark Paul Steven Andrew Kenneth George Mary Patricia Jennifer Linda "
            "Elizabeth Barbara Susan Jessica Sarah Karen Emily Emma Olivia Charlotte Amelia Hannah "
            "Rebecca Laura Rachel Victoria"
        ),
        _words(
            "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
            "Jackson Martin Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright "
            "Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell "
            "Parker Evans Edwards"
        ),
    ),
    "french": (
        _words(
            "Jean Pierre Michel Philippe Alain Nicolas Christophe François Laurent Julien Sébastien "
            "Olivier Thierry Stéphane Mathieu Antoine Guillaume Benoît Hugo Louis Marie Nathalie "
            "Isabelle Sylvie Catherine Françoise Sandrine Valérie Christine Céline Aurélie Camille "
            "Chloé Léa Manon Élodie Juliette Margaux Amélie Hélène"
        ),
        _words(
            "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
            "Lefebvre Michel David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier "
            "Dupont Lambert Bonnet Legrand Garnier Faure Rousseau Blanc Guérin Henry Roussel Perrin "
            "Morin Clément Gauthier Chevalier"
        ),
    ),
    "german": (
        _words(
            "Hans Peter Klaus Wolfgang Jürgen Dieter Michael Thomas Andreas Stefan Frank Uwe Matthias "
            "Markus Jörg Torsten Lukas Leon Maximilian Felix Jonas Tobias Florian Sebastian Ursula "
            "Monika Petra Sabine Renate Karin Birgit Gabriele Brigitte Heike Anja Katrin Stefanie "
            "Julia Lena Greta"
        ),
        _words(
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
            "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann "
            "Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler "
            "Herrmann König Walter Mayer Huber"
        ),
    ),
    "turkish": (
        _words(
            "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat Ömer Ramazan "
            "Halil Süleyman Abdullah Mahmut Recep Kemal Emre Burak Serkan Volkan Cem Can Fatma Ayşe "
            "Emine Hatice Zeynep Elif Meryem Şerife Zehra Sultan Hanife Merve Büşra Esra Özlem"
        ),
        _words(
            "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç "
            "Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Özcan Korkmaz Çakır Erdoğan Yavuz Can Acar "
            "Şen Aktaş Güler Yalçın Güneş Bozkurt Bulut Keskin Ünal Turan Gül Özer"
        ),
    ),
    "korean": (
        _words(
            "Min-jun Seo-jun Do-yun Ye-jun Si-woo Ha-jun Joo-won Ji-ho Ji-hoon Jun-seo Hyun-woo "
            "Sung-min Dong-hyun Jae-won Young-ho Sang-hoon Kyung-soo Jin-woo Tae-yang Woo-jin "
            "Seo-yeon Ji-woo Seo-yun Ha-eun Min-seo Ji-yoo Yoon-seo Chae-won Su-ah Ji-min Eun-ji "
            "Hye-jin Soo-jin Mi-kyung Young-hee Jung-hee Eun-young Yu-na Da-eun Hae-won"
        ),
        _words(
            "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Jeon "
            "Hong Yoo Ko Moon Yang Son Bae Baek Heo Nam Noh Ha Kwak Sung Cha Joo Woo Koo Min Ryu Na"
        ),
    ),
    "vietnamese": (
        _words(
            "Anh Minh Tuấn Hùng Dũng Hải Nam Long Phong Quang Thành Hiếu Đức Khoa Bảo Huy Trung Sơn "
            "Vinh Tâm Linh Lan Hương Mai Hoa Thảo Trang Ngọc Phương Thu Hạnh Yến Nhung Vân Hằng Giang "
            "Oanh Trinh Vy Chi"
        ),
        _words(
            "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đinh Lâm Mai "
            "Trịnh Trương Tạ Lương Cao Châu Quách Tô Hà Kiều Thái Đoàn La Vương Khúc Lưu Tăng Diệp "
            "Triệu Phùng"
        ),
    ),
}
# The same cultures in their own scripts: (given, family, family written first and unspaced).
NATIVE: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    "arabic": (
        _words(
            "محمد أحمد علي عمر خالد يوسف إبراهيم حسن حسين محمود مصطفى عبدالله كريم طارق سمير وليد "
            "نبيل فيصل حمزة فاطمة عائشة مريم ليلى نور هدى سلمى رانيا زينب خديجة"
        ),
        _words(
            "المصري حداد خوري ناصر صالح منصور حمدان قاسم الرشيد التميمي الشمري الحربي القحطاني "
            "الزهراني عبود درويش جابر خليل بركات سليمان ياسين غانم فاروق حيدر عيسى نجار"
        ),
        False,
    ),
    "russian-ukrainian": (
        _words(
            "Александр Дмитрий Сергей Андрей Михаил Иван Николай Владимир Алексей Юрий Павел Виктор "
            "Игорь Олег Ольга Наталья Татьяна Ирина Светлана Елена Анастасия Юлия Екатерина Людмила "
            "Олександр Дмитро Сергій Андрій Микола Володимир Оксана Олена"
        ),
        _words(
            "Иванов Петров Сидоров Смирнов Кузнецов Попов Соколов Лебедев Козлов Новиков Морозов "
            "Волков Соловьёв Васильев Зайцев Павлов Семёнов Шевченко Коваленко Бондаренко Ткаченко "
            "Кравченко Олійник Шевчук Поліщук Лисенко Марченко Руденко Савченко Петренко Мельник "
            "Бойко"
        ),
        False,
    ),
    "chinese": (
        _words(
            "伟 芳 敏 静 丽 强 磊 军 洋 勇 艳 杰 涛 明 超 秀英 霞 平 刚 辉 小明 建国 建华 国强 "
            "海燕 丽娟 红梅 志伟 宇飞 子涵 浩然 宇轩 欣怡 志强 春华 冬梅 "
            "文杰 佳慧 爽 凯"
        ),
        _words(
            "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 韩 冯 邓 "
            "曹 彭 曾 肖 田 董 潘 袁 蔡 蒋 余 杜"
        ),
        True,
    ),
    "korean": (
        _words(
            "민준 서준 도윤 예준 시우 하준 주원 지호 지훈 준서 현우 성민 동현 재원 영호 상훈 경수 "
            "진우 서연 지우 서윤 하은 민서 윤서 채원 지민 은지 혜진 수진 "
            "미경 영희 정희"
        ),
        _words("김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 전 홍 유 고 문 양 손 배 백 허 남 노"),
        True,
    ),
    "south-asian": (
        _words("राहुल अमित राजेश सुरेश विजय संजय अनिल सुनील रवि अर्जुन प्रिया अंजलि सुनीता पूजा नेहा कविता दीपा मीरा"),
        _words("शर्मा वर्मा गुप्ता सिंह कुमार पटेल शाह मेहता जोशी मिश्रा रेड्डी नायर"),
        False,
    ),
}
# Share of a culture's negatives written in its own script, and of those written family name first.
NATIVE_SHARE = 0.3
FAMILY_FIRST = {"chinese": 0.5, "korean": 0.5, "vietnamese": 0.7}
VIETNAMESE_MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Hữu", "Ngọc", "Quốc", "Thanh")
COUNTRIES = _words(
    "ae af ar br cd cn co de dz eg es et fr gb gh gr id in iq ir it jo jp kp kr kz lb ly ma ml mx "
    "ng nl pk ph pl pt ru sa sd sn so sy th tr ua us ve vn ye"
)
SCRIPTS = {"cyrillic": "Latin-Cyrillic", "greek": "Latin-Greek", "arabic": "Latin-Arabic"}
CATEGORIES = ("typo", "translit", "reorder", "drop_middle", "initials")
KINDS = ("person", "organization", "vessel")
# Variants of name parts apply in this order, transliteration last: initials are taken from
# the reordered tokens, and a typo never lands on a part that is then dropped or shortened.
PART_ORDER = ("drop_middle", "reorder", "initials", "typo")
_TO_LATIN = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
_FOLD = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")
_TRANSLITERATORS = {script: icu.Transliterator.createInstance(rule) for script, rule in SCRIPTS.items()}
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(slots=True)
class Listed:
    """The listed entities: proxies for nomenklatura, match records for Liaison, ids by name."""

    proxies: dict[str, EntityProxy] = field(default_factory=dict)
    datasets: dict[str, str] = field(default_factory=dict)
    records: list[MatchRecord] = field(default_factory=list)
    by_name: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # Folded listed names, also with their tokens sorted: a negative may not be a listed name reordered.
    folded: set[str] = field(default_factory=set)
    per_list: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Query:
    """One screening query with what it should find and the labels it is reported under."""

    proxy: EntityProxy
    truth: frozenset[str]
    labels: tuple[str, ...]
    original: str = ""


def fold(name: str) -> str:
    """Lower-case ASCII letters and digits, single-spaced: how two spellings count as one name."""
    return _NOT_ALNUM.sub(" ", _FOLD.transliterate(name)).strip()


def _sorted_tokens(folded: str) -> str:
    return " ".join(sorted(folded.split()))


def _without_one_middle(folded: str) -> list[str]:
    tokens = folded.split()
    return [" ".join(tokens[:at] + tokens[at + 1 :]) for at in range(1, len(tokens) - 1)]


def exact(name: str) -> str:
    """A name up to case and spacing: the key under which lists share a name of record."""
    return " ".join(name.casefold().split())


def rss_mb() -> float:
    """Resident memory of this process now, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def max_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> tuple[Listed, dict[str, float]]:
    """Read the three lists, keeping matchable entities, then reduce them to match records."""
    listed = Listed()
    memory = {"start": rss_mb()}
    for kind, dataset, path in LISTS:
        count = 0
        for record in read(kind, path):
            proxy = record.proxy
            if proxy.schema.name not in KEEP:
                continue
            listed.proxies[str(proxy.id)] = proxy
            listed.datasets[str(proxy.id)] = dataset
            count += 1
            for prop in NAME_PROPS:
                for value in proxy.get(prop, quiet=True):
                    listed.by_name[exact(value)].add(str(proxy.id))
                    folded = fold(value)
                    listed.folded.update((folded, _sorted_tokens(folded)))
                    if proxy.schema.name == "Person":
                        # A listed name with one middle part dropped is a positive variant
                        # ("drop_middle"), so an unlisted person may not carry it either.
                        for shorter in _without_one_middle(folded):
                            listed.folded.update((shorter, _sorted_tokens(shorter)))
        listed.per_list[dataset] = count
    memory["proxies"] = rss_mb()
    listed.records = [
        record_from_entity(proxy, listed.datasets[key]) for key, proxy in listed.proxies.items()
    ]
    memory["records"] = rss_mb()
    return listed, memory


# Name variants -------------------------------------------------------------------------------


def is_latin(text: str) -> bool:
    """True when every letter is Latin (ASCII or Latin-1/Extended)."""
    return all(ord(char) < 0x250 for char in text if char.isalpha())


def typo(rng: random.Random, token: str) -> str:
    """One keyboard slip in a token: two letters swapped, one dropped, doubled or replaced."""
    for _ in range(10):
        at = rng.randrange(len(token) - 1)
        edit = rng.choice(("swap", "drop", "double", "substitute"))
        if edit == "swap":
            changed = token[:at] + token[at + 1] + token[at] + token[at + 2 :]
        elif edit == "drop":
            changed = token[:at] + token[at + 1 :]
        elif edit == "double":
            changed = token[: at + 1] + token[at:]
        else:
            pool = "abcdefghijklmnopqrstuvwxyz" if token.isascii() else token.lower()
            letter = rng.choice(pool)
            changed = token[:at] + (letter.upper() if token[at].isupper() else letter) + token[at + 1 :]
        if changed != token:
            return changed
    return token


def transliterate(rng: random.Random, name: str, initials: bool = False) -> tuple[str, str]:
    """The name in another script: a Latin name into Cyrillic, Greek or Arabic, any other into Latin.

    ICU marks Greek breathings and Arabic short vowels, which names written in those scripts
    rarely carry: they are dropped, and a word-initial Arabic vowel is carried by an alef, as
    Arabic writes it. Initials are not written in Arabic, so a name with them never goes there.
    """
    if not is_latin(name):
        return _TO_LATIN.transliterate(name), "latin"
    script = rng.choice([s for s in sorted(SCRIPTS) if not (initials and s == "arabic")])
    written = _TRANSLITERATORS[script].transliterate(name)
    if script in ("greek", "arabic"):
        words = []
        for word in unicodedata.normalize("NFD", written).split(" "):
            bare = "".join(char for char in word if not unicodedata.combining(char))
            if script == "arabic" and word and unicodedata.combining(word[0]):
                bare = "\u0627" + bare
            words.append(unicodedata.normalize("NFC", bare))
        written = " ".join(words)
    return written, script


Parts = list[tuple[str, bool]]  # name tokens with a flag: is this a given name?


def apply(rng: random.Random, category: str, parts: Parts, person: bool) -> Parts | None:
    """One name-part variant applied to tokens, or None when it does not apply to this name."""
    if category == "drop_middle":
        if len(parts) < 3:
            return None
        at = rng.randint(1, len(parts) - 2)
        return parts[:at] + parts[at + 1 :]
    if category == "reorder":
        if not person or len(parts) < 2:
            return None
        return [parts[-1], *parts[:-1]] if rng.random() < 0.5 else [*parts[1:], parts[0]]
    if category == "initials":
        if not person or not any(given for _, given in parts) or not is_latin(" ".join(t for t, _ in parts)):
            return None
        shortened = [
            (f"{token[0]}." if given and token[0].isalpha() else token, given) for token, given in parts
        ]
        # A name of initials only ("A. R.") identifies no one: keep a whole family name.
        if not any(len(token) >= 2 and not token.endswith(".") for token, _ in shortened):
            return None
        return shortened
    if category == "typo":
        eligible = [i for i, (token, _) in enumerate(parts) if len(token) >= 5 and token.isalpha()]
        if not eligible:
            return None
        at = rng.choice(eligible)
        return [*parts[:at], (typo(rng, parts[at][0]), parts[at][1]), *parts[at + 1 :]]
    raise ValueError(category)


def given_flags(proxy: EntityProxy, tokens: list[str]) -> list[bool]:
    """Which tokens are given names: from firstName/middleName, else all but the last token."""
    given = {
        exact(part) for prop in GIVEN_PROPS for value in proxy.get(prop, quiet=True) for part in value.split()
    }
    flags = [exact(token) in given for token in tokens]
    if not any(flags) or all(flags):
        flags = [i < len(tokens) - 1 for i in range(len(tokens))]
    return flags


def make_positive(rng: random.Random, number: int, proxy: EntityProxy, listed: Listed) -> Query | None:
    """A variant of one of the entity's names, or None when no chosen variant applies to them."""
    names = sorted(
        {v for prop in PICK_PROPS for v in proxy.get(prop, quiet=True) if sum(map(str.isalpha, v)) >= 3}
    )
    if not names:
        return None
    person = proxy.schema.name == "Person"
    for _ in range(20):
        original = rng.choice(names)
        tokens = original.split()
        chosen = set(rng.sample(CATEGORIES, 1 if rng.random() < 0.5 else 2))
        parts: Parts | None = list(zip(tokens, given_flags(proxy, tokens), strict=True))
        labels = []
        for category in PART_ORDER:
            if category in chosen and parts is not None:
                parts = apply(rng, category, parts, person)
                labels.append(category)
        if parts is None:
            continue
        variant = " ".join(token for token, _ in parts)
        if "translit" in chosen:
            variant, script = transliterate(rng, variant, initials="initials" in chosen)
            labels += ["translit", f"translit:{script}"]
        if exact(variant) == exact(original):
            continue
        query = model.make_entity(proxy.schema.name)
        query.id = f"query-p{number}"
        query.add("name", variant)
        labels.append("person" if person else "vessel" if proxy.schema.name == "Vessel" else "organization")
        labels.append("one variant" if len(chosen) == 1 else "two variants")
        if person:
            labels += _add_birth_date(rng, proxy, query)
            nationalities = sorted(proxy.get("nationality", quiet=True))
            if nationalities:
                query.add("nationality", rng.choice(nationalities))
        return Query(query, frozenset(listed.by_name[exact(original)]), tuple(labels), original)
    return None


def _add_birth_date(rng: random.Random, proxy: EntityProxy, query: EntityProxy) -> list[str]:
    """A listed birth date given as its year only or shifted by one day."""
    dates = sorted(proxy.get("birthDate"))
    if not dates:
        return []
    date = rng.choice(dates)
    if len(date) == 10 and rng.random() < 0.5:
        shifted = np.datetime64(date) + rng.choice((-1, 1))
        query.add("birthDate", str(shifted))
        return ["dob shifted a day"]
    query.add("birthDate", date[:4])
    return ["dob year only"]


def make_negative(rng: random.Random, number: int, listed: Listed) -> Query | None:
    """An unlisted person with a name from one culture's pools; None when the name is listed."""
    culture = rng.choice(sorted(CULTURES))
    native = culture in NATIVE and rng.random() < NATIVE_SHARE
    if native:
        given_pool, family_pool, unspaced = NATIVE[culture]
        given, family = rng.choice(given_pool), rng.choice(family_pool)
        name = f"{family}{given}" if unspaced else f"{given} {family}"
    else:
        given_pool, family_pool = CULTURES[culture]
        given_names = [rng.choice(given_pool)]
        families = [rng.choice(family_pool)]
        if culture == "vietnamese" and rng.random() < 0.8:
            given_names.insert(0, rng.choice(VIETNAMESE_MIDDLE))
        elif culture == "spanish-portuguese" and rng.random() < 0.5:
            families.append(rng.choice(family_pool))
        elif rng.random() < (0.5 if culture == "arabic" else 0.25):
            given_names.append(rng.choice(given_pool))
        if rng.random() < FAMILY_FIRST.get(culture, 0.0):
            name = " ".join(families + given_names)
        else:
            name = " ".join(given_names + families)
    folded = fold(name)
    if folded in listed.folded or _sorted_tokens(folded) in listed.folded:
        return None
    query = model.make_entity("Person")
    query.id = f"query-n{number}"
    query.add("name", name)
    query.add("birthDate", f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    query.add("nationality", rng.choice(COUNTRIES))
    labels = (
        (culture, f"{culture}, {'native script' if native else 'Latin'}") if culture in NATIVE else (culture,)
    )
    return Query(query, frozenset(), labels)


def make_queries(
    rng: random.Random, listed: Listed, positives: int, negatives: int
) -> tuple[list[Query], list[Query], int]:
    """Positive and negative queries, deterministic from the seed, and how many unlisted names were listed."""
    people = [p for p in listed.proxies.values() if p.schema.name == "Person"]
    others = [p for p in listed.proxies.values() if p.schema.name != "Person"]
    found: list[Query] = []
    while len(found) < positives:
        pool = people if rng.random() < 0.75 else others
        query = make_positive(rng, len(found), rng.choice(pool), listed)
        if query is not None:
            found.append(query)
    unlisted: list[Query] = []
    rejected = 0
    while len(unlisted) < negatives:
        query = make_negative(rng, len(unlisted), listed)
        if query is None:
            rejected += 1
        else:
            unlisted.append(query)
    return found, unlisted, rejected


# Screening -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Outcome:
    """What one query got: its candidates, the candidate stage time, and each system's scores and time."""

    candidates: list[str]
    candidate_seconds: float
    scores: dict[str, list[float]]
    seconds: dict[str, float]

    def hits(self, system: str) -> set[str]:
        """Ids the system scored at or above the threshold."""
        return {
            key for key, score in zip(self.candidates, self.scores[system], strict=True) if score >= THRESHOLD
        }


Scorer = Callable[[Query, MatchRecord, MatchRecord], float]


def scorers(listed: Listed) -> dict[str, Scorer]:
    """Each system's pair scorer: Liaison on match records, nomenklatura on the FtM proxies."""
    from nomenklatura.matching import LogicV1, LogicV2, ScoringConfig

    configs = {"logic-v1": ScoringConfig.defaults(), "logic-v2": ScoringConfig.defaults()}
    proxies = listed.proxies

    def liaison(query: Query, record: MatchRecord, candidate: MatchRecord) -> float:
        return score_pair(record, candidate).score

    def logic_v1(query: Query, record: MatchRecord, candidate: MatchRecord) -> float:
        return LogicV1.compare(query.proxy, proxies[candidate.entity_id], configs["logic-v1"]).score

    def logic_v2(query: Query, record: MatchRecord, candidate: MatchRecord) -> float:
        return LogicV2.compare(query.proxy, proxies[candidate.entity_id], configs["logic-v2"]).score

    return {"Liaison": liaison, "logic-v1": logic_v1, "logic-v2": logic_v2}


def screen(index: CandidateIndex, query: Query, systems: dict[str, Scorer]) -> Outcome:
    """The shared candidate stage, then every system scoring the same candidates, each timed."""
    started = time.perf_counter()
    record = record_from_entity(query.proxy, "query")
    found = candidates_for(index, record, LIMIT)
    outcome = Outcome([c.entity_id for c in found], time.perf_counter() - started, {}, {})
    for name, scorer in systems.items():
        started = time.perf_counter()
        outcome.scores[name] = [scorer(query, record, candidate) for candidate in found]
        outcome.seconds[name] = time.perf_counter() - started
    return outcome


# Report --------------------------------------------------------------------------------------


def share(flags: list[bool]) -> float:
    """The share of true flags; 0 for none."""
    return sum(flags) / len(flags) if flags else 0.0


def measure(positives: list[tuple[Query, Outcome]], negatives: list[tuple[Query, Outcome]]) -> dict[str, Any]:
    """Every metric, per system, plus the candidate stage's own."""
    result: dict[str, Any] = {}
    every = positives + negatives
    candidate_ms = np.array([o.candidate_seconds for _, o in every]) * 1000
    result["candidate stage"] = {
        "recall@candidates": share([bool(q.truth & set(o.candidates)) for q, o in positives]),
        "p50_ms": float(np.percentile(candidate_ms, 50)),
        "p99_ms": float(np.percentile(candidate_ms, 99)),
        "recall_by_category": {
            label: share([bool(q.truth & set(o.candidates)) for q, o in positives if label in q.labels])
            for label in _labels(positives)
        },
    }
    for system in SYSTEMS:
        total_ms = np.array([o.candidate_seconds + o.seconds[system] for _, o in every]) * 1000
        scoring_ms = np.array([o.seconds[system] for _, o in every]) * 1000
        result[system] = {
            "recall": share([bool(q.truth & o.hits(system)) for q, o in positives]),
            "false_positive_rate": share([bool(o.hits(system)) for _, o in negatives]),
            "positives_with_wrong_hit": share([bool(o.hits(system) - q.truth) for q, o in positives]),
            "p50_ms": float(np.percentile(total_ms, 50)),
            "p99_ms": float(np.percentile(total_ms, 99)),
            "scoring_p50_ms": float(np.percentile(scoring_ms, 50)),
            "scoring_p99_ms": float(np.percentile(scoring_ms, 99)),
            "recall_by_category": {
                label: share([bool(q.truth & o.hits(system)) for q, o in positives if label in q.labels])
                for label in _labels(positives)
            },
            "recall_by_category_and_kind": {
                f"{label}, {kind}": share(
                    [bool(q.truth & o.hits(system)) for q, o in positives if {label, kind} <= set(q.labels)]
                )
                for label in CATEGORIES
                for kind in KINDS
                if any({label, kind} <= set(q.labels) for q, _ in positives)
            },
            "false_positive_rate_by_culture": {
                label: share([bool(o.hits(system)) for q, o in negatives if label in q.labels])
                for label in _labels(negatives)
            },
        }
    return result


def _labels(queries: list[tuple[Query, Outcome]]) -> list[str]:
    order = {label: i for i, label in enumerate((*CATEGORIES, "one variant", "two variants"))}
    labels = {label for q, _ in queries for label in q.labels}
    return sorted(labels, key=lambda label: (order.get(label.split(":")[0], len(order)), label))


def counts(queries: list[tuple[Query, Outcome]]) -> dict[str, int]:
    """How many queries carry each label."""
    found: dict[str, int] = defaultdict(int)
    for query, _ in queries:
        for label in query.labels:
            found[label] += 1
    return dict(found)


def table(metrics: dict[str, Any], positives: int, negatives: int, sizes: dict[str, int]) -> list[str]:
    """One table: a row per metric, a column per system, and each system's ratio to logic-v2."""
    header = f"{'metric':<48}" + "".join(f"{s:>10}" for s in SYSTEMS) + f"{'Liaison/v2':>12}{'v1/v2':>8}"
    lines = [header, "-" * len(header)]

    def row(label: str, values: list[float], digits: int = 3) -> None:
        base = values[2]
        ratios = [f"{v / base:.2f}" if base else "-" for v in values[:2]]
        cells = "".join(f"{v:>10.{digits}f}" for v in values)
        lines.append(f"{label:<48}{cells}{ratios[0]:>12}{ratios[1]:>8}")

    def of(key: str, sub: str | None = None) -> list[float]:
        return [metrics[s][key] if sub is None else metrics[s][key][sub] for s in SYSTEMS]

    row(f"recall ({positives} positives)", of("recall"))
    row(f"false-positive rate ({negatives} negatives)", of("false_positive_rate"))
    row("positives also hitting an entity not in truth", of("positives_with_wrong_hit"))
    row("latency p50 ms (candidates + scoring)", of("p50_ms"), 2)
    row("latency p99 ms (candidates + scoring)", of("p99_ms"), 2)
    row("scoring only p50 ms", of("scoring_p50_ms"), 2)
    row("scoring only p99 ms", of("scoring_p99_ms"), 2)
    lines.append("recall by variant category (n)")
    for label in metrics["Liaison"]["recall_by_category"]:
        row(f"  {label} ({sizes[label]})", of("recall_by_category", label))
    lines.append("false-positive rate by naming culture (n)")
    for label in metrics["Liaison"]["false_positive_rate_by_culture"]:
        row(f"  {label} ({sizes[label]})", of("false_positive_rate_by_culture", label))
    return lines


def examples(
    positives: list[tuple[Query, Outcome]], negatives: list[tuple[Query, Outcome]], listed: Listed, limit: int
) -> dict[str, Any]:
    """Liaison's misses, with its features on the best true candidate, and every system's false positives."""
    records = {record.entity_id: record for record in listed.records}

    def best(query: Query, outcome: Outcome, system: str) -> tuple[float, str] | None:
        scored = [
            (s, k)
            for k, s in zip(outcome.candidates, outcome.scores[system], strict=True)
            if k in query.truth
        ]
        return max(scored) if scored else None

    missed = []
    for query, outcome in positives:
        if query.truth & outcome.hits("Liaison"):
            continue
        ours = best(query, outcome, "Liaison")
        entry: dict[str, Any] = {
            "original": query.original,
            "query": query.proxy.to_dict()["properties"],
            "labels": list(query.labels),
            "truth_in_candidates": ours is not None,
        }
        for system in SYSTEMS:
            found = best(query, outcome, system)
            entry[f"{system} score"] = round(found[0], 3) if found else None
        if ours is not None:
            explained = score_pair(record_from_entity(query.proxy, "query"), records[ours[1]]).explain()
            entry["Liaison features"] = {name: feature["contribution"] for name, feature in explained.items()}
        missed.append(entry)
    raised: dict[str, list[dict[str, Any]]] = {system: [] for system in SYSTEMS}
    for query, outcome in negatives:
        for system in SYSTEMS:
            hits = [
                (s, k)
                for k, s in zip(outcome.candidates, outcome.scores[system], strict=True)
                if s >= THRESHOLD
            ]
            if not hits:
                continue
            _, key = max(hits)
            at = outcome.candidates.index(key)
            candidate = listed.proxies[key]
            raised[system].append(
                {
                    "query": query.proxy.to_dict()["properties"],
                    "labels": list(query.labels),
                    "hit": key,
                    "hit_properties": {
                        p: candidate.get(p, quiet=True)[:5] for p in ("name", "birthDate", "nationality")
                    },
                    "scores": {other: round(outcome.scores[other][at], 3) for other in SYSTEMS},
                }
            )
    return {
        "liaison_missed": missed[:limit],
        "false_positives": {system: found[:limit] for system, found in raised.items()},
    }


def _timer(pauses: list[float]) -> Callable[[str, dict[str, int]], None]:
    """A gc callback that records how long each collection paused the process."""
    started = [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append(time.perf_counter() - started[0])

    return callback


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--positives", type=int, default=1_000, help="Re-spelt listed names to screen.")
    parser.add_argument("--negatives", type=int, default=2_000, help="Unlisted people to screen.")
    parser.add_argument("--seed", type=int, default=1, help="Seed of the query generator.")
    parser.add_argument(
        "--examples", type=int, default=500, help="Misses and false positives kept in the JSON."
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()

    listed, memory = load()
    if len(listed.proxies) != sum(listed.per_list.values()):
        raise SystemExit("entity ids collide across lists; key them by list")
    loaded = time.perf_counter()
    index = CandidateIndex.build(listed.records)
    memory["index"] = rss_mb()
    built = time.perf_counter()
    positives, negatives, rejected = make_queries(rng, listed, args.positives, args.negatives)
    per_list = ", ".join(f"{name} {count:,}" for name, count in listed.per_list.items())
    print(
        f"{len(listed.records):,} listed entities ({per_list})"
        f" read in {loaded - started:.1f} s; index built in {built - loaded:.1f} s;"
        f" {len(positives):,} positives and {len(negatives):,} negatives made"
        f" ({rejected} generated names were listed names and were drawn again)",
        flush=True,
    )

    systems = scorers(listed)
    warm = time.perf_counter()
    # logic-v2 loads reference data on first use, some of it per schema: one query of each kind.
    for kind in KINDS:
        first = next((query for query in positives if kind in query.labels), None)
        if first is not None:
            screen(index, first, systems)
    screen(index, negatives[0], systems)
    memory["warmed"] = rss_mb()
    # The lists and reference data live as long as the process: freeze them out of the cyclic
    # collector, as a long-running screening service would, or each full collection rescans
    # every listed entity and the system that happens to allocate then pays for it.
    gc.collect()
    gc.freeze()
    pauses: list[float] = []
    gc.callbacks.append(_timer(pauses))
    print(f"warm-up (logic-v2 loads its data) {time.perf_counter() - warm:.1f} s", flush=True)
    scoring = time.perf_counter()
    done_positives = [(query, screen(index, query, systems)) for query in positives]
    done_negatives = [(query, screen(index, query, systems)) for query in negatives]
    seconds = time.perf_counter() - scoring
    gc.callbacks.clear()

    metrics = measure(done_positives, done_negatives)
    sizes = {**counts(done_positives), **counts(done_negatives)}
    lines = table(metrics, len(positives), len(negatives), sizes)
    stage = metrics["candidate stage"]
    peak = max_rss_mb()
    memory_report = {
        "max_rss_mb": peak,
        "index_arrays_mb": index.memory_bytes() / 2**20,
        "proxies_mb": memory["proxies"] - memory["start"],
        "liaison_records_mb": memory["records"] - memory["proxies"],
        "liaison_index_build_mb": memory["index"] - memory["records"],
        "warm_up_mb": memory["warmed"] - memory["index"],
    }
    lines += [
        "",
        f"candidate stage (shared, top {LIMIT}): recall@{LIMIT} {stage['recall@candidates']:.3f},"
        f" p50 {stage['p50_ms']:.2f} ms, p99 {stage['p99_ms']:.2f} ms",
        f"memory: max RSS {peak:.0f} MB for the whole process; FtM proxies of the lists"
        f" {memory_report['proxies_mb']:.0f} MB; Liaison match records"
        f" {memory_report['liaison_records_mb']:.0f} MB"
        f" + index {memory_report['liaison_index_build_mb']:.0f} MB RSS"
        f" ({memory_report['index_arrays_mb']:.1f} MB numpy arrays); first scoring (logic-v2 data)"
        f" {memory_report['warm_up_mb']:.0f} MB",
        f"{len(positives) + len(negatives):,} queries x {LIMIT} candidates x {len(SYSTEMS)} systems"
        f" scored in {seconds:.0f} s ({sum(pauses):.1f} s of it in {len(pauses):,} garbage collections,"
        f" longest {max(pauses, default=0.0) * 1000:.0f} ms);"
        f" whole run {time.perf_counter() - started:.0f} s",
    ]
    print("\n".join(lines))

    OUT.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "settings": {
            "positives": len(positives),
            "negatives": len(negatives),
            "seed": args.seed,
            "threshold": THRESHOLD,
            "candidates": LIMIT,
            "lists": listed.per_list,
            "negatives_redrawn_as_listed": rejected,
        },
        "counts": sizes,
        "metrics": metrics,
        "ratios_to_logic_v2": {
            system: {
                key: (metrics[system][key] / metrics["logic-v2"][key] if metrics["logic-v2"][key] else None)
                for key in ("recall", "false_positive_rate", "p50_ms", "p99_ms")
            }
            for system in SYSTEMS
        },
        "memory": memory_report,
        "seconds": {
            "load": loaded - started,
            "index": built - loaded,
            "scoring": seconds,
            "garbage_collection": sum(pauses),
            "longest_collection": max(pauses, default=0.0),
        },
        "examples": examples(done_positives, done_negatives, listed, args.examples),
    }
    OUT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
