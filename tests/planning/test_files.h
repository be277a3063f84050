// Reading the example files of examples/planning/ in tests.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "sluice/planning/io.h"

namespace sluice::planning::testing {

inline std::string ExamplePath(const std::string& name) {
  return std::string(SLUICE_SOURCE_DIR) + "/examples/planning/" + name;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline Json ReadExampleJson(const std::string& name) {
  Result<Json> doc = ParseJsonText(ReadText(ExamplePath(name)), name);
  EXPECT_TRUE(doc.ok()) << doc.error().ToString();
  return doc.ok() ? *doc : Json();
}

inline std::map<std::string, std::string> ReadFunnelCsvExample() {
  std::map<std::string, std::string> files;
  for (const char* name : kFunnelCsvFiles) {
    files[name] = ReadText(ExamplePath(std::string("funnel-csv/") + name));
  }
  return files;
}

// The problem with this exact path, or nullptr.
inline const Problem* FindProblem(const Error& error, const std::string& path) {
  for (const Problem& p : error.problems) {
    if (p.path == path) return &p;
  }
  return nullptr;
}

}  // namespace sluice::planning::testing
