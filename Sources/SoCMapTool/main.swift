print("socmap")
