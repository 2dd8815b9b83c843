def normalise(values)
    return [v / 100 for v in values]
