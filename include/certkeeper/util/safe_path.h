// Who may change what certkeeper trusts: the programs it runs (reload
// commands, --on-event, --dns-hook), usually as root, and the target
// directories it writes keys into (deploy/target_dir.h).
//
// OpenSSH's StrictModes rule: a file, and every directory above it, must be
// owned by root or the invoking user and writable by nobody else. Otherwise
// whoever can write there can replace the program, and certkeeper would run
// their code as root at the next renewal.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>
#include <string_view>

#include "certkeeper/util/result.h"

namespace certkeeper {

// Who besides the owner may change a file or directory.
struct WriteRisk {
  enum Kind {
    none,    // owned by root or us, writable by nobody else
    owner,   // owned by another user (`uid`)
    others,  // writable by everyone
    group,   // writable by the group `gid`
  };
  Kind kind = none;
  uid_t uid = 0;
  gid_t gid = 0;
};

struct WriteRule {
  // Group write is harmless when the group is root's or our own (target
  // directories: a service's files often share a group with it).
  bool group_of_root_or_ours = false;
  // A directory others may write to is still safe when root owns it and it
  // has the sticky bit, as /tmp: nobody else can rename or remove what is in
  // it. (Only for directories above a program, never for the file itself.)
  bool sticky_root_directory = false;
};

// The risk of trusting what `st` describes, under `rule`.
WriteRisk write_risk(const struct stat& st, const WriteRule& rule);

// Finds `program` as execvp would (through $PATH when it has no '/'), then
// checks its real path (symlinks resolved) and every directory above it,
// and the directory that holds the name found, with the StrictModes rule:
// owned by root or the invoking user, writable by nobody else (directories
// may be root's and sticky, as /tmp). `option` names what configured it
// ("--reload", "--on-event", "--dns-hook") for the message.
//
// Returns the absolute path found, to run exactly what was checked.
// Errc::not_found when there is no such program (callers leave that to the
// process runner's own message); Errc::rejected when someone else could
// change it: the message names the path and the chmod or chown that fixes it.
Result<std::string> trusted_program(const std::string& program, std::string_view option);

}  // namespace certkeeper
