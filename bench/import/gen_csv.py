#!/usr/bin/python3
"""Writes an N-row contact CSV for the import benchmark: Russian numbers in mixed real-world
formats (+7 with separators, 8 with brackets, bare 7...), names, amounts, dates and ids.
Usage: gen_csv.py N OUT.csv [SEED]"""
import random
import sys


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    prefixes = ["916", "903", "925", "495", "812", "383", "343", "846", "913", "923"]
    names = ["Иван", "Пётр", "Анна", "Мария", "Олег", "Елена", "Сергей", "Ольга"]
    with open(out, "w", encoding="utf-8") as f:
        f.write("phone,first_name,last_name,amount,due_date,external_id\n")
        for i in range(n):
            p = rnd.choice(prefixes)
            d = "%07d" % rnd.randrange(10**7)
            style = i % 4
            if style == 0:
                phone = "+7 %s %s-%s-%s" % (p, d[:3], d[3:5], d[5:])
            elif style == 1:
                phone = "8 (%s) %s-%s-%s" % (p, d[:3], d[3:5], d[5:])
            elif style == 2:
                phone = "7%s%s" % (p, d)
            else:
                phone = "+7%s%s" % (p, d)
            f.write("%s,%s,Petrov,%d,2026-03-%02d,ext%d\n"
                    % (phone, rnd.choice(names), rnd.randrange(100, 99999), 1 + i % 28, i))


if __name__ == "__main__":
    main()
