// Config edits behind the admin API's resource routes (/v1/layers,
// /v1/experiments, /v1/flags, /v1/metrics): pure functions from a
// configuration document and one requested change to the new document.
//
// They check only what belongs to the edit itself: the key exists or is free,
// the lifecycle transition is allowed, nothing live still refers to what is
// archived. The caller commits the result through store::ConfigStore, which
// validates the whole document with core::ParseConfig, so a change that
// breaks the configuration (overlapping buckets, an unknown layer...) is
// refused there with every problem listed, and nothing is stored.
//
// Archived resources move to the document's "archived" section
// ({"layers": [...], "experiments": [...], ...}) with an "archived_at" time
// (epoch ms). They are no longer served, stay readable, and keep their key:
// a new resource cannot reuse an archived key, so reports and audit entries
// never become ambiguous.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include "sluice/common/clock.h"
#include "sluice/common/result.h"
#include "sluice/core/config.h"

namespace sluice::server {

enum class ResourceKind { kLayer, kExperiment, kFlag, kMetric };

// "layers" -> kLayer, ...; nullopt for anything else.
std::optional<ResourceKind> ResourceKindOf(std::string_view collection);
std::string_view CollectionName(ResourceKind kind);  // "layers"
std::string_view SingularName(ResourceKind kind);    // "layer"

// The live resources of `kind` (or the archived ones), in document order.
core::Json ListResources(const core::Json& document, ResourceKind kind, bool archived);

// The live resource `key`, else the archived one (with "archived_at"); kNotFound.
Result<core::Json> FindResource(const core::Json& document, ResourceKind kind,
                                std::string_view key);

// Appends `resource`. kAlreadyExists if its key is taken, live or archived.
// A new experiment starts as a draft: a "status" other than "draft" is refused.
Result<core::Json> CreateResource(const core::Json& document, ResourceKind kind,
                                  const core::Json& resource);

// Replaces the live resource `key` with `resource` (its "key", if given, must
// be `key`). An experiment's status changes only through ApplyLifecycle.
Result<core::Json> ReplaceResource(const core::Json& document, ResourceKind kind,
                                   std::string_view key, const core::Json& resource);

// Applies an RFC 7396 JSON merge patch to the live resource `key`.
Result<core::Json> PatchResource(const core::Json& document, ResourceKind kind,
                                 std::string_view key, const core::Json& patch);

// Moves the live resource `key` to the archive. kFailedPrecondition while
// something live depends on it (experiments in a layer, a running experiment,
// a flag rule linked to an experiment, an experiment using a metric).
Result<core::Json> ArchiveResource(const core::Json& document, ResourceKind kind,
                                   std::string_view key, EpochMillis now);

// Experiment lifecycle. Allowed transitions:
//   start   draft | paused -> running
//   pause   running -> paused
//   stop    running | paused -> stopped
//   launch  running | paused | stopped -> launched, serving `winner` to everyone
// Launch also rewrites every flag rule linked to the experiment into a value
// rule that serves the winner's parameter (same audience), so flags keep their
// launched value even after the experiment is archived.
enum class LifecycleAction { kStart, kPause, kStop, kLaunch };
std::optional<LifecycleAction> LifecycleActionOf(std::string_view name);
std::string_view LifecycleActionName(LifecycleAction action);
Result<core::Json> ApplyLifecycle(const core::Json& document, std::string_view experiment,
                                  LifecycleAction action, std::string_view winner = {});

}  // namespace sluice::server
