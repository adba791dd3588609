print("smelt")
