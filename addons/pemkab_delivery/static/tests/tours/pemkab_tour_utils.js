/** Steps shared by the tours of the pemkab_* addons. */

/**
 * A step that waits for ``trigger`` then has the test's browser save the page as
 * ``<name>.png`` (addons/pemkab_delivery/tests/tour.py): it logs the signal and waits
 * until the browser says the picture is saved.
 *
 * @param {string} name lowercase letters, digits and dashes
 * @param {string} trigger what must be on the page first
 */
export function screenshot(name, trigger) {
    return {
        content: `screenshot ${name}`,
        trigger,
        async run() {
            const data = document.body.dataset;
            delete data.pemkabScreenshot;
            delete data.pemkabScreenshotError;
            // let the last rendering and transitions settle before the picture
            await new Promise((resolve) => setTimeout(resolve, 300));
            console.log(`pemkab-screenshot:${name}`);
            const deadline = Date.now() + 30000;
            while (data.pemkabScreenshot !== name) {
                if (data.pemkabScreenshotError) {
                    throw new Error(data.pemkabScreenshotError);
                }
                if (Date.now() > deadline) {
                    throw new Error(`screenshot ${name}: the test's browser did not save it`);
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        },
    };
}
