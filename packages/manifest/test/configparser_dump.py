"""Dumps what Python 3's configparser.ConfigParser() (default settings) reads from each file.

Output: {path: {"error": ExceptionName}} when reading fails, else
{path: {"sections": {section: {option: value or {"error": ExceptionName}}}}} including DEFAULT.
"""
import configparser
import json
import sys

result = {}
for path in sys.argv[1:]:
    parser = configparser.ConfigParser()
    try:
        with open(path, encoding="utf-8") as stream:
            parser.read_file(stream, path)
    except configparser.Error as error:
        result[path] = {"error": type(error).__name__}
        continue
    sections = {}
    for name in [parser.default_section] + parser.sections():
        values = {}
        for option in parser[name]:
            try:
                values[option] = parser[name][option]
            except configparser.InterpolationError as error:
                values[option] = {"error": type(error).__name__}
        sections[name] = values
    result[path] = {"sections": sections}
json.dump(result, sys.stdout)
