import DeepLearning
print("coming soon")
