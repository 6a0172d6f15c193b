package ids

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCommonIDs(t *testing.T) {
	assert.Equal(t, []int64{}, CommonIDs(nil, nil))
	assert.Equal(t, []int64{3, 2}, CommonIDs([]int64{3, 1, 3, 2}, []int64{2, 3, 3}))
	assert.Equal(t, []int64{}, CommonIDs([]int64{1, 2}, []int64{4, 5}))
	assert.Equal(t, []int64{5, 4}, CommonIDs([]int64{5, 4, 5, 4}, []int64{4, 5}))
}
