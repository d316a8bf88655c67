import LKQ
print(Engine().tables.count)
