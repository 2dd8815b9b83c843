def parse_row(row)
    return [float(v) for v in row]
