package photos

import "github.com/intvlm8r/intvlm8r-go/internal/fileutil"

var fileutilTryLock = fileutil.TryLockExclusive
