#!/usr/bin/python3
"""Writes N contacts and their scripted outcomes for the replay benchmark: each contact takes
three attempts (no answer, busy, answered). Usage: gen.py N OUT_DIR"""
import random
import sys


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(7)
    prefixes = ["495", "812", "846", "343", "383", "391", "423", "926"]
    with open(out + "/contacts.csv", "w") as fc, open(out + "/outcomes.csv", "w") as fo:
        fc.write("phone,first_name\n")
        fo.write("phone,attempt,outcome,ring_s,talk_s\n")
        seen = set()
        while len(seen) < n:
            phone = "+7%s%07d" % (rnd.choice(prefixes), rnd.randrange(10**7))
            if phone in seen:
                continue
            seen.add(phone)
            fc.write("%s,Ivan\n" % phone)
            fo.write("%s,1,no_answer,20,0\n%s,2,busy,3,0\n%s,3,answered,5,40\n" % (phone, phone, phone))


if __name__ == "__main__":
    main()
