#ifndef C_BUILD_STAMP_H
#define C_BUILD_STAMP_H

/// The git revision the binary was built from, or "unknown".
const char *_Nonnull CBuildStamp_revision(void);
/// The git branch the binary was built from, or "unknown".
const char *_Nonnull CBuildStamp_branch(void);
/// Who built the binary (`user@host`), or "unknown".
const char *_Nonnull CBuildStamp_user(void);
/// When the binary was built, as Go's promu writes it (`20060102-15:04:05`), or "unknown".
const char *_Nonnull CBuildStamp_date(void);

#endif
