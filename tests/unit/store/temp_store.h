// A fresh LMDB store in its own temporary directory for each store test, removed after
// the test, so no test sees another's records.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "store/store_environment.h"

namespace ts::store {

class TempStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/textscreen-store-XXXXXX";
    char* made = mkdtemp(tmpl);
    ASSERT_NE(made, nullptr);
    dir_ = made;
    auto opened = StoreEnvironment::open(dir_, 64 << 20);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  const Databases& dbs() const { return store_->dbs(); }

  // Runs write in one write transaction and commits it; a failing MDB code fails the test.
  template <typename Write>
  void write(Write&& write) {
    WriteTransaction txn(*store_);
    ASSERT_TRUE(txn.ok()) << storeError(txn.beginError());
    ASSERT_EQ(write(txn.get()), 0);
    ASSERT_EQ(txn.commit(), 0);
  }

  std::string dir_;
  std::unique_ptr<StoreEnvironment> store_;
  const std::int64_t now_ = 1'800'000'000;
};

}  // namespace ts::store
