#!/usr/bin/python3
"""Generates examples/contacts.csv: a deterministic sample list for the demo and tests.

Russian landlines in several regions (zones derived from the prefix), mobiles with an explicit
timezone column, a few Kazakh numbers, plus a handful of deliberately bad and duplicate rows so
the import report has something to show. The numbers are only ever dialled to the loopback
carrier simulator.
"""
import random
import sys

FIRST = ["Иван", "Пётр", "Анна", "Мария", "Олег", "Елена", "Сергей", "Ольга", "Дмитрий", "Наталья",
         "Алексей", "Татьяна", "Михаил", "Ирина", "Андрей", "Светлана"]
LAST = ["Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев",
        "Козлов", "Новиков", "Морозов", "Волков"]
# (national prefix, digits after it, explicit zone or None)
REGIONS = [
    ("8 495", 7, None),      # Moscow
    ("8 812", 7, None),      # St Petersburg
    ("8 846", 7, None),      # Samara
    ("8 343", 7, None),      # Yekaterinburg
    ("8 383", 7, None),      # Novosibirsk
    ("8 3812", 6, None),     # Omsk
    ("8 391", 7, None),      # Krasnoyarsk
    ("8 3952", 6, None),     # Irkutsk
    ("8 423", 7, None),      # Vladivostok
    ("8 4012", 6, None),     # Kaliningrad
    ("+7 916", 7, "Europe/Moscow"),
    ("+7 913", 7, "Asia/Novosibirsk"),
    ("+7 914", 7, "Asia/Vladivostok"),
    ("+7 7272", 6, None),    # Almaty, Kazakhstan
]


def main(out, n=300):
    rnd = random.Random(2026)
    rows = []
    for i in range(n):
        prefix, digits, zone = REGIONS[i % len(REGIONS)]
        tail = "".join(str(rnd.randint(0, 9)) for _ in range(digits))
        if digits == 7:
            tail = "%s-%s-%s" % (tail[:3], tail[3:5], tail[5:])
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        amount = rnd.randrange(500, 50000, 50)
        due = "2026-03-%02d" % rnd.randint(10, 28)
        rows.append([prefix + " " + tail, first, last, str(amount), due, zone or "",
                     "C%05d" % (i + 1)])
    # Bad and duplicate rows, to show what the import report says about them.
    rows.insert(17, ["+7 999", "Тест", "Короткий", "100", "2026-03-15", "", "BAD1"])
    rows.insert(42, ["не звонить", "Тест", "Текст", "100", "2026-03-15", "", "BAD2"])
    rows.insert(99, [rows[5][0], rows[5][1], rows[5][2], "200", "2026-03-20", "", "DUP1"])
    rows.insert(150, ["+7 495 123 45 67", "Тест", "Зона", "100", "2026-03-15", "Moscow", "BAD3"])
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("phone,first_name,last_name,amount,due_date,timezone,external_id\r\n")
        for r in rows:
            f.write(",".join(r) + "\r\n")


def replay(folder, n=1000):
    """examples/replay/: 1,000 contacts and scripted outcomes for `dozvon simulate --outcomes`."""
    rnd = random.Random(1000)
    outcomes = ["answered", "busy", "no_answer", "no_answer", "no_answer", "machine", "rejected",
                "congestion", "busy", "answered"]
    with open(folder + "/contacts.csv", "w", encoding="utf-8", newline="") as fc, \
            open(folder + "/outcomes.csv", "w", encoding="utf-8", newline="") as fo:
        fc.write("phone,first_name,amount,timezone\n")
        fo.write("phone,attempt,outcome,ring_s,talk_s\n")
        for i in range(n):
            prefix, digits, zone = REGIONS[i % len(REGIONS)]
            if i % 7 == 3:
                prefix, digits, zone = "+7 926", 7, None   # mobile without a zone: 16 candidates
            phone = prefix.replace(" ", "") + "".join(str(rnd.randint(0, 9)) for _ in range(digits))
            if phone.startswith("8"):
                phone = "+7" + phone[1:]
            fc.write("%s,%s,%d,%s\n" % (phone, rnd.choice(FIRST), rnd.randrange(500, 50000, 50),
                                         zone or ""))
            if i % 50 == 7:
                fo.write("%s,1,invalid_number,1,0\n" % phone)
                continue
            for attempt in range(1, 6):
                o = rnd.choice(outcomes)
                ring = rnd.randint(3, 25)
                talk = rnd.randint(15, 90) if o in ("answered", "machine") else 0
                fo.write("%s,%d,%s,%d,%d\n" % (phone, attempt, o, ring, talk))
                if o == "answered":
                    break


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/contacts.csv")
    if len(sys.argv) > 2:
        replay(sys.argv[2])
